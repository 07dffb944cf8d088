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

extension XPAKSegment {
    /// A value as text: exactly `String(decoding: bytes, as: UTF8.self)`, byte for byte, but fast for binary values.
    ///
    /// The standard library repairs invalid UTF-8 one error at a time, about 15 ns a byte here for the bzip2 stream in
    /// `environment.bz2` (most of the time spent reading a binpkg's metadata); this repairs in one pass, replacing
    /// each maximal ill-formed subsequence with one U+FFFD as Unicode recommends and the standard library does.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { input in
            // ASCII (most values) goes straight to the standard library, which copies it after a word-wise check.
            if input.allSatisfy({ $0 < 0x80 }) { return String(decoding: input, as: UTF8.self) }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * input.count) { output in
                let count = repair(input, into: output)
                return String(decoding: UnsafeBufferPointer(rebasing: output[..<count]), as: UTF8.self)
            }
        }
    }

    /// Copies well-formed sequences and writes U+FFFD (EF BF BD) for each maximal subpart of an ill-formed one;
    /// returns the number of bytes written, at most 3 per input byte.
    private static func repair(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let source = input.baseAddress, let target = output.baseAddress else { return 0 }
        let count = input.count
        var read = 0, written = 0
        while read < count {
            let lead = source[read]
            let next = source[min(read + 1, count - 1)]
            // In binary data a byte is ASCII or invalid at random, so that case takes no branch; only a lead byte
            // C2…F4 followed by a continuation byte (a few percent of random bytes) goes the long way.
            let maybeSequence = (lead &- 0xC2 <= 0xF4 - 0xC2 ? 1 : 0) & (next & 0xC0 == 0x80 ? 1 : 0)
                & (read + 1 < count ? 1 : 0)
            if maybeSequence == 0 {
                let ascii = lead < 0x80
                target[written] = ascii ? lead : 0xEF
                target[written + 1] = 0xBF  // overwritten next when the byte was ASCII; the output has room for 3
                target[written + 2] = 0xBD
                written += ascii ? 1 : 3
                read += 1
                continue
            }
            // The sequence length and the range of its second byte, from the table of well-formed UTF-8.
            let length = lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            let low: UInt8 = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80
            let high: UInt8 = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF
            // How many bytes from the lead on are a prefix of a well-formed sequence (the maximal subpart).
            var valid = 1
            if low...high ~= next {
                valid = 2
                while valid < length, read + valid < count, source[read + valid] & 0xC0 == 0x80 { valid += 1 }
            }
            if valid == length {
                for offset in 0..<length { target[written + offset] = source[read + offset] }
                written += length
            } else {
                target[written] = 0xEF
                target[written + 1] = 0xBF
                target[written + 2] = 0xBD
                written += 3
            }
            read += valid
        }
        return written
    }
}
