import CArchive
import Foundation

/// One tar header as libarchive read it, copied out of libarchive's memory; names stay raw bytes.
struct RawEntry {
    var pathBytes: [UInt8]
    var symlinkBytes: [UInt8]?
    var hardlinkBytes: [UInt8]?
    /// `S_IFREG`, `S_IFDIR`, … (the file type bits of the mode).
    var fileType: mode_t
    var permissions: UInt32
    var size: Int
    var uid: Int
    var gid: Int
    var uname: String?
    var gname: String?
    var modificationTime: Int
    var deviceMajor: Int
    var deviceMinor: Int

    /// The path as text, for messages (invalid UTF-8 replaced).
    var pathText: String { String(decoding: pathBytes, as: UTF8.self) }

    init(_ entry: OpaquePointer) {
        func bytes(_ text: UnsafePointer<CChar>?) -> [UInt8]? {
            text.map { Array(UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
        }
        pathBytes = bytes(archive_entry_pathname(entry) ?? archive_entry_pathname_utf8(entry)) ?? []
        symlinkBytes = bytes(archive_entry_symlink(entry) ?? archive_entry_symlink_utf8(entry))
        hardlinkBytes = bytes(archive_entry_hardlink(entry) ?? archive_entry_hardlink_utf8(entry))
        fileType = archive_entry_filetype(entry)
        permissions = UInt32(archive_entry_perm(entry)) & 0o7777
        size = Int(archive_entry_size(entry))
        uid = Int(archive_entry_uid(entry))
        gid = Int(archive_entry_gid(entry))
        uname = archive_entry_uname(entry).map { String(cString: $0) }
        gname = archive_entry_gname(entry).map { String(cString: $0) }
        modificationTime = Int(archive_entry_mtime(entry))
        deviceMajor = Int(archive_entry_rdevmajor(entry))
        deviceMinor = Int(archive_entry_rdevminor(entry))
    }
}

/// A libarchive tar reader over one byte range of a binary package, with exactly the one filter its
/// compression names (never every filter: a payload is decoded the way Portage would decode it).
///
/// Synchronous and single-threaded; callers run it off the cooperative pool.
final class ArchiveReader {
    /// The member (or `payload`) being read, for messages.
    let member: String
    private let archive: OpaquePointer
    private let feed: Feed
    private(set) var currentEntry: OpaquePointer?
    /// Decompressed bytes the archive may span; an entry reaching past it is refused before it is read or skipped.
    var byteLimit = Int.max

    init(_ reader: ByteReader, range: Range<Int>, compression: PayloadCompression, member: String) throws(BinpkgError) {
        self.member = member
        feed = Feed(reader: reader, range: range)
        guard let archive = archive_read_new() else {
            throw BinpkgError(path: reader.path, kind: .corruptArchive(member: member, message: "archive_read_new failed"))
        }
        self.archive = archive
        archive_read_support_format_tar(archive)
        // ARCHIVE_WARN means "through an external program": refused, nothing here spawns processes.
        if compression != .uncompressed, archive_read_support_filter_by_code(archive, compression.filterCode) != ARCHIVE_OK {
            throw failure("this libarchive has no built-in \(compression.rawValue) decoder")
        }
        archive_read_set_callback_data(archive, Unmanaged.passUnretained(feed).toOpaque())
        archive_read_set_read_callback(archive) { _, client, output in
            Unmanaged<Feed>.fromOpaque(client!).takeUnretainedValue().read(into: output)
        }
        archive_read_set_skip_callback(archive) { _, client, request in
            Unmanaged<Feed>.fromOpaque(client!).takeUnretainedValue().skip(request)
        }
        guard archive_read_open1(archive) == ARCHIVE_OK else { throw failure() }
    }

    deinit { archive_read_free(archive) }

    /// The next entry's header, nil at the end of the archive.
    func next() throws(BinpkgError) -> RawEntry? {
        var entry: OpaquePointer?
        let status = archive_read_next_header(archive, &entry)
        if status == ARCHIVE_EOF { return nil }
        guard status >= ARCHIVE_WARN, let entry else { throw failure() }
        currentEntry = entry
        let raw = RawEntry(entry)
        let (end, overflow) = consumed.addingReportingOverflow(max(0, raw.size))
        guard !overflow, end <= byteLimit else {
            throw BinpkgError(path: feed.reader.path, kind: .tooLarge(what: "decompressed bytes in \(member)", limit: byteLimit))
        }
        return raw
    }

    /// Streams the current entry's data as `(bytes, offset in the entry)` blocks (offsets skip sparse holes).
    func readData(_ body: (UnsafeRawBufferPointer, Int) throws(BinpkgError) -> Void) throws(BinpkgError) {
        var block: UnsafeRawPointer?
        var count = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(archive, &block, &count, &offset)
            if status == ARCHIVE_EOF { return }
            guard status >= ARCHIVE_WARN else { throw failure() }
            try body(UnsafeRawBufferPointer(start: block, count: count), Int(offset))
        }
    }

    /// Reads every remaining header and data byte, so damage anywhere in the stream is found.
    func readToEnd(maximumEntries: Int) throws(BinpkgError) -> Int {
        var entries = 0
        while try next() != nil {
            entries += 1
            guard entries <= maximumEntries else {
                throw BinpkgError(path: feed.reader.path, kind: .tooLarge(what: "entries in \(member)", limit: maximumEntries))
            }
            try readData { _, _ in }
        }
        return entries
    }

    /// Where the current header started, in the decompressed stream.
    var headerOffset: Int { Int(archive_read_header_position(archive)) }
    /// Bytes of the decompressed stream consumed so far (after a header: where its data starts).
    var consumed: Int { Int(archive_filter_bytes(archive, 0)) }

    /// An error for the member: the reader's own I/O error if there was one, else libarchive's message.
    func failure(_ message: String? = nil) -> BinpkgError {
        if let error = feed.error { return error }
        let text = message ?? archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return BinpkgError(path: feed.reader.path, kind: .corruptArchive(member: member, message: text))
    }
}

@available(*, unavailable)
extension ArchiveReader: Sendable {}

/// libarchive's client: hands out a byte range of the package in 64 KiB blocks, and skips within it.
private final class Feed {
    let reader: ByteReader
    let range: Range<Int>
    var position: Int
    var error: BinpkgError?
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)

    init(reader: ByteReader, range: Range<Int>) {
        self.reader = reader
        self.range = range.clamped(to: 0..<max(0, reader.size))
        position = self.range.lowerBound
    }

    deinit { buffer.deallocate() }

    func read(into output: UnsafeMutablePointer<UnsafeRawPointer?>?) -> la_ssize_t {
        let wanted = min(buffer.count, range.upperBound - position)
        do {
            let count = try reader.read(at: position, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<max(0, wanted)]))
            position += count
            output?.pointee = UnsafeRawPointer(buffer.baseAddress)
            return la_ssize_t(count)
        } catch {
            self.error = error
            return -1
        }
    }

    func skip(_ request: la_int64_t) -> la_int64_t {
        let count = max(0, min(Int(request), range.upperBound - position))
        position += count
        return la_int64_t(count)
    }
}
