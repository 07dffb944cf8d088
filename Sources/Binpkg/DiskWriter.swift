import CArchive
import Foundation

/// libarchive's disk writer for one extraction; entries arrive with absolute paths under the staging directory.
final class DiskWriter {
    private let archive: OpaquePointer
    private let package: String

    init(flags: Int32, package: String) throws(BinpkgError) {
        self.package = package
        guard let archive = archive_write_disk_new() else {
            throw BinpkgError(path: package, kind: .extractionFailed(target: "the image", reason: "archive_write_disk_new failed"))
        }
        self.archive = archive
        archive_write_disk_set_options(archive, flags)
    }

    deinit { archive_write_free(archive) }

    /// Creates one entry and copies its data (sparse holes kept); returns the bytes written.
    func write(_ entry: OpaquePointer, entry name: String, from reader: ArchiveReader) throws(BinpkgError) -> Int {
        guard archive_write_header(archive, entry) >= ARCHIVE_WARN else { throw failure(name) }
        var bytes = 0
        try reader.readData { block, offset throws(BinpkgError) in
            guard block.count > 0 else { return }
            guard archive_write_data_block(archive, block.baseAddress, block.count, la_int64_t(offset)) >= ARCHIVE_WARN else {
                throw failure(name)
            }
            bytes += block.count
        }
        guard archive_write_finish_entry(archive) >= ARCHIVE_WARN else { throw failure(name) }
        return bytes
    }

    /// Applies the deferred directory modes and times.
    func close() throws(BinpkgError) {
        guard archive_write_close(archive) >= ARCHIVE_WARN else { throw failure("the image") }
    }

    private func failure(_ name: String) -> BinpkgError {
        let reason = archive_error_string(archive).map { String(cString: $0) } ?? "unknown libarchive error"
        return BinpkgError(path: package, kind: .extractionFailed(target: name, reason: reason))
    }
}

@available(*, unavailable)
extension DiskWriter: Sendable {}

/// A fresh directory beside the destination that the image is written into, then renamed into place.
struct StagingDirectory {
    let destination: URL
    let url: URL
    /// The staging directory's real path (no symlinks), as bytes.
    let rootBytes: [UInt8]

    /// Checks that `destination` is absent or an empty directory, and creates the staging directory beside it.
    init(for destination: URL, package: String) throws(BinpkgError) {
        func fail(_ reason: String) -> BinpkgError {
            BinpkgError(path: package, kind: .extractionFailed(target: destination.path, reason: reason))
        }
        self.destination = destination
        var info = stat()
        if lstat(destination.path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw fail("it exists and is not a directory") }
            guard ((try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? ["?"]).isEmpty else {
                throw fail("it exists and is not empty")
            }
        }
        let parent = destination.deletingLastPathComponent().path
        var template = Array("\(parent)/.\(destination.lastPathComponent).extract-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw fail("cannot create a staging directory in \(parent): \(Self.errorText())") }
        let staging = String(cString: made)
        url = URL(fileURLWithPath: staging)
        // Portage creates the image directory 0755; mkdtemp made it 0700.
        guard chmod(staging, 0o755) == 0, let real = realpath(staging, nil) else {
            let reason = Self.errorText()
            rmdir(staging)
            throw fail("cannot prepare the staging directory \(staging): \(reason)")
        }
        defer { free(real) }
        rootBytes = Array(UnsafeRawBufferPointer(start: real, count: strlen(real)))
    }

    /// Renames the staging directory onto the destination (replacing it if it is an empty directory).
    func commit() throws(BinpkgError) {
        guard rename(url.path, destination.path) == 0 else {
            throw BinpkgError(path: url.path, kind: .extractionFailed(
                target: destination.path, reason: "cannot rename the staging directory into place: \(Self.errorText())"))
        }
    }

    /// Removes the staging directory and everything in it, read-only directories included.
    func discard() {
        Self.makeWritable(url.path)
        try? FileManager.default.removeItem(at: url)
    }

    private static func makeWritable(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return }
        chmod(path, 0o700)
        for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] { makeWritable(path + "/" + child) }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
