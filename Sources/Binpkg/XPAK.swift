import Foundation

/// The metadata keys of an xpak binary package (`.tbz2`/`.xpak`), read from the trailer at the end of the file.
///
/// Layout: `<compressed tar> XPAKPACK <u32 index length> <u32 data length> <index> <data> XPAKSTOP
/// <u32 trailer length> STOP`, all integers big-endian; each index entry is `<u32 name length> <name>
/// <u32 data offset> <u32 value length>`. Only the trailer is read, never the payload.
public struct XPAK: Sendable, Hashable {
    /// The key names in index order, without duplicates.
    public let keys: [String]
    /// Each value's raw bytes (e.g. `environment.bz2` is binary).
    public let rawData: [String: Data]
    /// Each value decoded as UTF-8 (invalid bytes replaced), untrimmed: most end in `\n`.
    public let values: [String: String]

    /// The smallest file that can hold a trailer: `XPAKPACK`, two lengths, `XPAKSTOP`, length, `STOP`.
    public static let minimumFileSize = 32
    /// The default limit on the trailer size read into memory: 64 MiB.
    public static let defaultMaximumSize = 64 << 20

    /// The value of `key` with one trailing newline removed, e.g. `app-arch` for `CATEGORY`.
    public func value(_ key: String) -> String? {
        guard let raw = values[key] else { return nil }
        return raw.hasSuffix("\n") ? String(raw.dropLast()) : raw
    }

    /// All values with one trailing newline removed each.
    public var trimmedValues: [String: String] {
        values.mapValues { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }

    /// Reads the trailer of the binary package at `url` by seeking to its end.
    public init(contentsOf url: URL, maximumSize: Int = XPAK.defaultMaximumSize) throws(XPAKError) {
        let path = url.path
        func unreadable(_ error: any Error) -> XPAKError {
            XPAKError(path: path, kind: .unreadable(reason: Digest.describe(error)))
        }
        let handle: FileHandle
        switch Digest.openRegularFile(url) {
        case .success(let opened): handle = opened
        case .failure(let reason): throw XPAKError(path: path, kind: .unreadable(reason: reason.text))
        }
        defer { try? handle.close() }
        do {
            let size = Int(try handle.seekToEnd())
            let length = try Self.trailerLength(fileSize: size, path: path, maximumSize: maximumSize) { offset, count in
                try handle.seek(toOffset: UInt64(offset))
                return try handle.read(upToCount: count) ?? Data()
            }
            let start = size - 8 - length
            try handle.seek(toOffset: UInt64(start))
            let segment = try handle.read(upToCount: length) ?? Data()
            guard segment.count == length else {
                throw XPAKError(path: path, kind: .truncated("the file shrank while it was read"))
            }
            try self.init(segment: segment, fileOffset: start, path: path)
        } catch let error as XPAKError {
            throw error
        } catch {
            throw unreadable(error)
        }
    }

    /// Parses the trailer at the end of a whole binary package already in memory.
    public init(fileData: Data, path: String, maximumSize: Int = XPAK.defaultMaximumSize) throws(XPAKError) {
        let bytes = [UInt8](fileData)
        let length: Int
        do {
            length = try Self.trailerLength(fileSize: bytes.count, path: path, maximumSize: maximumSize) { offset, count in
                Data(bytes[offset..<(offset + count)])
            }
        } catch let error as XPAKError { throw error } catch { throw XPAKError(path: path, kind: .truncated("\(error)")) }
        let start = bytes.count - 8 - length
        try self.init(segment: Data(bytes[start..<(start + length)]), fileOffset: start, path: path)
    }

    /// Checks `<u32 length> STOP` at the end and returns the trailer length it announces.
    private static func trailerLength(
        fileSize: Int, path: String, maximumSize: Int, read: (Int, Int) throws -> Data
    ) throws -> Int {
        guard fileSize >= minimumFileSize else { throw XPAKError(path: path, kind: .tooShort(size: fileSize)) }
        let tail = [UInt8](try read(fileSize - 8, 8))
        guard tail.count == 8 else { throw XPAKError(path: path, kind: .truncated("the file shrank while it was read")) }
        guard tail[4..<8].elementsEqual("STOP".utf8) else {
            throw XPAKError(path: path, kind: .badMagic(expected: "STOP", offset: fileSize - 4))
        }
        let length = Int(bigEndian: tail, at: 0)
        guard length >= 24 else {
            throw XPAKError(path: path, kind: .offsetOutOfRange("the trailer length \(length) is below the 24-byte minimum"))
        }
        guard length <= fileSize - 8 else {
            throw XPAKError(path: path, kind: .offsetOutOfRange(
                "the trailer length \(length) is more than the \(fileSize - 8) bytes before it"))
        }
        guard length <= maximumSize else { throw XPAKError(path: path, kind: .tooLarge(size: length, limit: maximumSize)) }
        return length
    }

    /// Parses `XPAKPACK … XPAKSTOP`; `fileOffset` is where it starts in the file, for messages.
    init(segment: Data, fileOffset: Int, path: String) throws(XPAKError) {
        let parsed = try XPAKSegment(bytes: [UInt8](segment), fileOffset: fileOffset, path: path).entries()
        var keys: [String] = []
        var rawData: [String: Data] = [:]
        var values: [String: String] = [:]
        for (name, bytes) in parsed {
            if rawData.updateValue(Data(bytes), forKey: name) == nil { keys.append(name) }
            // Decoding from the contiguous slice takes the fast path; from Data it goes byte by byte.
            values[name] = String(decoding: bytes, as: UTF8.self)
        }
        self.keys = keys
        self.rawData = rawData
        self.values = values
    }
}

extension Int {
    /// Reads a big-endian u32 at `offset` (the caller checked the bounds).
    init(bigEndian bytes: [UInt8], at offset: Int) {
        self = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
    }
}
