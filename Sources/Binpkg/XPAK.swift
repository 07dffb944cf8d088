import Digests
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
        if let (segment, start) = try Self.readTrailer(path: url.isFileURL ? path : nil, maximumSize: maximumSize) {
            try self.init(segment: segment, fileOffset: start, path: path)
            return
        }
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
                return [UInt8](try handle.read(upToCount: count) ?? Data())
            }
            let start = size - 8 - length
            try handle.seek(toOffset: UInt64(start))
            let segment = [UInt8](try handle.read(upToCount: length) ?? Data())
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

    /// The fast way for the common case, a readable regular file: `stat`, `open`, `fstat` and two `pread`s.
    ///
    /// Returns the segment and its file offset, or throws what the trailer's content is wrong with; returns nil
    /// when anything about the file itself is unusual (not a regular file, an error from the system, a short
    /// read, a path with `..` that symlinks could make resolve differently), and the caller then reads it through
    /// `FileHandle`, which reports each of those cases in its own words.
    private static func readTrailer(path: String?, maximumSize: Int) throws(XPAKError) -> ([UInt8], Int)? {
        guard let path, !hasTwoDots(path) else { return nil }
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        struct ReadFailed: Error {}
        func read(_ offset: Int, _ count: Int) throws(ReadFailed) -> [UInt8] {
            var complete = false
            let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                complete = pread(descriptor, buffer.baseAddress, count, off_t(offset)) == count
                initialized = complete ? count : 0
            }
            guard complete else { throw ReadFailed() }
            return bytes
        }
        let size = Int(status.st_size)
        do {
            let length = try trailerLength(fileSize: size, path: path, maximumSize: maximumSize, read: read)
            let start = size - 8 - length
            return (try read(start, length), start)
        } catch let error as XPAKError {
            throw error
        } catch {
            return nil
        }
    }

    /// Whether `path` has `..` anywhere (a byte loop: `contains("..")` goes through Foundation).
    private static func hasTwoDots(_ path: String) -> Bool {
        var previous: UInt8 = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "."), previous == byte { return true }
            previous = byte
        }
        return false
    }

    /// Parses the trailer at the end of a whole binary package already in memory.
    public init(fileData: Data, path: String, maximumSize: Int = XPAK.defaultMaximumSize) throws(XPAKError) {
        let base = fileData.startIndex
        let length: Int
        do {
            length = try Self.trailerLength(fileSize: fileData.count, path: path, maximumSize: maximumSize) { offset, count in
                [UInt8](fileData[(base + offset)..<(base + offset + count)])
            }
        } catch let error as XPAKError { throw error } catch { throw XPAKError(path: path, kind: .truncated("\(error)")) }
        let start = fileData.count - 8 - length
        try self.init(segment: [UInt8](fileData[(base + start)..<(base + start + length)]), fileOffset: start, path: path)
    }

    /// Checks `<u32 length> STOP` at the end and returns the trailer length it announces.
    private static func trailerLength(
        fileSize: Int, path: String, maximumSize: Int, read: (Int, Int) throws -> [UInt8]
    ) throws -> Int {
        guard fileSize >= minimumFileSize else { throw XPAKError(path: path, kind: .tooShort(size: fileSize)) }
        let tail = try read(fileSize - 8, 8)
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
    init(segment: [UInt8], fileOffset: Int, path: String) throws(XPAKError) {
        let parsed = try XPAKSegment(bytes: segment, fileOffset: fileOffset, path: path).entries()
        var keys: [String] = []
        var rawData: [String: Data] = .init(minimumCapacity: parsed.count)
        var values: [String: String] = .init(minimumCapacity: parsed.count)
        keys.reserveCapacity(parsed.count)
        for (name, bytes) in parsed {
            if rawData.updateValue(Data(bytes), forKey: name) == nil { keys.append(name) }
            values[name] = XPAKSegment.decode(bytes)
        }
        self.keys = keys
        self.rawData = rawData
        self.values = values
    }
}

extension Int {
    /// Reads a big-endian u32 at `offset` (the caller checked the bounds).
    init(bigEndian bytes: [UInt8], at offset: Int) {
        self = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
    }
}
