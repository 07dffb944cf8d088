import Foundation

/// A file to put in place: where, and its whole contents.
public struct PlannedFile: Sendable, Equatable {
    /// The file's absolute location.
    public var url: URL
    /// Its contents.
    public var contents: Data

    /// A file with binary contents (a kernel).
    public init(url: URL, contents: Data) {
        self.url = url.standardizedFileURL
        self.contents = contents
    }

    /// A text file, UTF-8.
    public init(url: URL, text: String) { self.init(url: url, contents: Data(text.utf8)) }
}

/// Files that an earlier write left in `directory`: a regular file `isOurs` accepts that the new set lacks is removed.
public struct StaleFileRule: Sendable {
    /// The directory to look in (not recursively).
    public var directory: URL
    /// True for a file farmctl wrote (e.g. a per-node config starting with its header).
    public var isOurs: @Sendable (URL) -> Bool

    /// A rule removing the files in `directory` that `isOurs` accepts and the new set does not contain.
    public init(directory: URL, isOurs: @escaping @Sendable (URL) -> Bool) {
        self.directory = directory.standardizedFileURL
        self.isOurs = isOurs
    }
}

/// What ``AtomicFileSet/write(_:removing:)`` did, each list sorted by path.
public struct FileSetReport: Sendable, Equatable {
    /// Files created or replaced.
    public var written: [URL] = []
    /// Files already holding the planned contents, left alone (their mtime too).
    public var unchanged: [URL] = []
    /// Stale files removed.
    public var removed: [URL] = []

    /// True when `url` was written or removed.
    public func changed(_ url: URL) -> Bool {
        let url = url.standardizedFileURL
        return written.contains(url) || removed.contains(url)
    }
}

/// Writes a set of files so that readers (tftpd, exportfs) only ever see a whole old or a whole new file.
///
/// Each changed file is first written beside its target as a hidden temporary (`.NAME.farmctl-XXXXXXXX`, which
/// neither pxelinux nor exportfs reads) and fsynced; only when every temporary is complete are they renamed over
/// their targets and the directories fsynced; stale files are removed last. A failure while writing the temporaries
/// (no space, no permission, a path that cannot be a directory) removes them and leaves every old file as it was.
/// Each rename is atomic, the set of renames is not: should one fail (same directory, so only on I/O errors), the files
/// renamed before it are new and the rest old, and the error says so; running again completes the set.
/// A file whose contents are unchanged is not rewritten.
public enum AtomicFileSet {
    /// Puts `files` in place, then removes what `rules` call stale; throws naming the path that failed.
    public static func write(_ files: [PlannedFile], removing rules: [StaleFileRule] = []) throws(BootError) -> FileSetReport {
        var report = FileSetReport()
        var pending: [(temporary: String, file: PlannedFile)] = []
        for file in files.sorted(by: { $0.url.path < $1.url.path }) {
            if FileManager.default.contents(atPath: file.url.path) == file.contents {
                report.unchanged.append(file.url)
                continue
            }
            do {
                pending.append((try writeTemporary(file), file))
            } catch {
                for item in pending { unlink(item.temporary) }
                throw error
            }
        }
        for (index, item) in pending.enumerated() {
            guard rename(item.temporary, item.file.url.path) == 0 else {
                let reason = errnoText()
                for rest in pending[index...] { unlink(rest.temporary) }
                throw BootError(problem: "cannot rename \(item.temporary) to \(item.file.url.path): \(reason) "
                                    + "(\(index) of \(pending.count) changed files are already in place)",
                                fix: "check that \(item.file.url.deletingLastPathComponent().path) is writable; run the command again")
            }
            report.written.append(item.file.url)
        }
        Set(pending.map { $0.file.url.deletingLastPathComponent().path }).forEach(syncDirectory)
        let planned = Set(files.map(\.url.path))
        for rule in rules {
            report.removed += try removeStale(rule, keeping: planned)
            syncDirectory(rule.directory.path)
        }
        report.removed.sort { $0.path < $1.path }
        return report
    }

    private static func writeTemporary(_ file: PlannedFile) throws(BootError) -> String {
        let directory = file.url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw BootError(problem: "cannot create the directory \(directory) for \(file.url.lastPathComponent): \(error.localizedDescription)",
                            fix: "check that the path is a directory farmctl may write")
        }
        let temporary = "\(directory)/.\(file.url.lastPathComponent).farmctl-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw BootError(problem: "cannot create \(temporary): \(errnoText())", fix: "check that \(directory) is writable by farmctl")
        }
        let failure: Int32 = file.contents.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; return errno }
                offset += written
            }
            return fchmod(fd, 0o644) == 0 && fsync(fd) == 0 ? 0 : errno
        }
        close(fd)
        guard failure == 0 else {
            unlink(temporary)
            throw BootError(problem: "cannot write \(temporary): \(String(cString: strerror(failure)))",
                            fix: "check the free space and permissions of \(directory)")
        }
        return temporary
    }

    /// Removes the files `rule` calls ours that are not planned, and temporaries a killed run left behind.
    private static func removeStale(_ rule: StaleFileRule, keeping planned: Set<String>) throws(BootError) -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: rule.directory.path) else { return [] }
        var removed: [URL] = []
        for name in names.sorted() {
            let url = rule.directory.appendingPathComponent(name)
            let leftover = name.hasPrefix(".") && name.contains(".farmctl-")
            guard !planned.contains(url.path), isRegularFile(url.path), leftover || (!name.hasPrefix(".") && rule.isOurs(url)) else { continue }
            guard unlink(url.path) == 0 || errno == ENOENT else {
                throw BootError(problem: "cannot remove the stale file \(url.path): \(errnoText())",
                                fix: "check that \(rule.directory.path) is writable by farmctl, or remove the file by hand")
            }
            if !leftover { removed.append(url) }
        }
        return removed
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Makes the renames in `path` durable; a directory that cannot be opened is left to the filesystem.
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
