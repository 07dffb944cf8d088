import Foundation

/// The bytes `XPAKPACK <index length> <data length> <index> <data> XPAKSTOP`, checked before any value is copied.
struct XPAKSegment {
    let bytes: [UInt8]
    /// Where the segment starts in the file, so messages give file offsets.
    let fileOffset: Int
    let path: String

    /// The `(name, value bytes)` pairs in index order.
    ///
    /// Every length is checked against the bytes actually present, and the values together may not be
    /// longer than the data block, so a hostile index cannot make this allocate more than the segment.
    func entries() throws(XPAKError) -> [(String, ArraySlice<UInt8>)] {
        try expectMagic("XPAKPACK", at: 0)
        try expectMagic("XPAKSTOP", at: bytes.count - 8)
        let indexLength = Int(bigEndian: bytes, at: 8)
        let dataLength = Int(bigEndian: bytes, at: 12)
        let needed = 16 + indexLength + dataLength + 8
        guard needed <= bytes.count else {
            throw error(.truncated("index (\(indexLength) bytes) and data (\(dataLength) bytes) need a "
                + "\(needed)-byte trailer but it is \(bytes.count) bytes"))
        }
        guard needed == bytes.count else {
            throw error(.offsetOutOfRange("index (\(indexLength) bytes) and data (\(dataLength) bytes) leave "
                + "\(bytes.count - needed) unexplained bytes in the \(bytes.count)-byte trailer"))
        }
        let indexStart = 16
        let dataStart = indexStart + indexLength
        var entries: [(String, ArraySlice<UInt8>)] = []
        var position = indexStart
        var valueBytes = 0
        while position < dataStart {
            let entryOffset = fileOffset + position
            guard position + 4 <= dataStart else { throw error(.truncated("index entry at byte \(entryOffset) is cut off")) }
            let nameLength = Int(bigEndian: bytes, at: position)
            guard nameLength <= dataStart - position - 4 - 8 else {
                throw error(.truncated("index entry at byte \(entryOffset) has a \(nameLength)-byte name "
                    + "that runs past the end of the index"))
            }
            let nameStart = position + 4
            let name = String(decoding: bytes[nameStart..<(nameStart + nameLength)], as: UTF8.self)
            let offset = Int(bigEndian: bytes, at: nameStart + nameLength)
            let length = Int(bigEndian: bytes, at: nameStart + nameLength + 4)
            guard offset + length <= dataLength else {
                throw error(.offsetOutOfRange("key \"\(name)\" points at bytes \(offset)..<\(offset + length) "
                    + "of a \(dataLength)-byte data block"))
            }
            valueBytes += length
            guard valueBytes <= dataLength else {
                throw error(.offsetOutOfRange("the values add up to more than the \(dataLength)-byte data block "
                    + "(overlapping entries, at key \"\(name)\")"))
            }
            let valueStart = dataStart + offset
            entries.append((name, bytes[valueStart..<(valueStart + length)]))
            position = nameStart + nameLength + 8
        }
        return entries
    }

    private func expectMagic(_ magic: String, at offset: Int) throws(XPAKError) {
        guard bytes[offset..<(offset + 8)].elementsEqual(magic.utf8) else {
            throw error(.badMagic(expected: magic, offset: fileOffset + offset))
        }
    }

    private func error(_ kind: XPAKError.Kind) -> XPAKError { XPAKError(path: path, kind: kind) }
}
