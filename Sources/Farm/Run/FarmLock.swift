import Foundation
import FarmModel

/// Who holds the farm lock, as the holder wrote it into the lock file.
public struct LockHolder: Sendable, Hashable, Codable {
    public var pid: Int
    public var command: String
    public var started: Date
    public var host: String

    /// The line a holder writes: `pid=… command=… started=… host=…`.
    var line: String { "pid=\(pid) command=\(command) started=\(started.formatted(.iso8601)) host=\(host)\n" }

    /// Parses a lock file's line.
    init?(line text: String) {
        var fields: [String: String] = [:]
        for word in text.split(whereSeparator: \.isWhitespace) {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { fields[parts[0]] = parts[1] } else if let pid = Int(parts[0]) { fields["pid"] = String(pid) }
        }
        // A line without `command=` is from a farmctl that never emptied it: no sign of a dead run.
        guard let pid = fields["pid"].flatMap(Int.init), let command = fields["command"] else { return nil }
        self.pid = pid
        self.command = command
        started = fields["started"].flatMap { try? Date($0, strategy: .iso8601) } ?? .distantPast
        host = fields["host"] ?? "?"
    }

    init(pid: Int, command: String, started: Date, host: String) {
        self.pid = pid
        self.command = command
        self.started = started
        self.host = host
    }

    /// `farmctl nightly (pid 123 on host, started 2026-11-22T02:00:01Z)`.
    public var description: String {
        "farmctl \(command) (pid \(pid) on \(host), started \(started == .distantPast ? "?" : started.formatted(.iso8601)))"
    }
}

/// An exclusive lock on the farm's state (`<state>/farmctl.lock`, flock), so two runs never build into the same
/// PKGDIRs and roots. The kernel drops it when its holder dies; the holder's line stays in the file until a clean
/// release empties it, so the next run knows the previous one died (`previous`).
final class FarmLock: @unchecked Sendable {
    private let descriptor: Int32
    let path: String
    /// The holder line left by a run that died without releasing the lock cleanly.
    let previous: LockHolder?

    /// Takes the lock or throws at once, naming the holder.
    static func take(directory: String, command: String) throws -> FarmLock {
        guard let lock = try attempt(directory: directory, command: command) else { throw busy(directory: directory) }
        return lock
    }

    private init(descriptor: Int32, path: String, previous: LockHolder?) {
        self.descriptor = descriptor
        self.path = path
        self.previous = previous
    }

    /// Takes the lock; when another run holds it, throws naming it, or with `wait` reports it through `waiting`
    /// once and polls until it is free.
    static func acquire(directory: String, command: String, wait: Bool,
                        waiting: @Sendable (LockHolder?) -> Void = { _ in }) async throws -> FarmLock {
        var said = false
        while true {
            if let lock = try attempt(directory: directory, command: command) { return lock }
            guard wait else { throw busy(directory: directory) }
            if !said { waiting(holder(directory: directory)); said = true }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// The holder of the lock when a run holds it now; nil when the farm is idle.
    static func holder(directory: String) -> LockHolder? {
        let path = lockPath(directory)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard flock(fd, LOCK_SH | LOCK_NB) != 0 else { flock(fd, LOCK_UN); return nil }
        return LockHolder(line: (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }

    /// A clean end (also on errors): the holder line is emptied, then the lock dropped. A process that dies never
    /// gets here, so its line stays for the next run to find.
    deinit {
        ftruncate(descriptor, 0)
        close(descriptor)
    }

    private static func lockPath(_ directory: String) -> String {
        (directory as NSString).appendingPathComponent("farmctl.lock")
    }

    private static func attempt(directory: String, command: String) throws -> FarmLock? {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = lockPath(directory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FarmError(problem: "cannot open \(path): \(String(cString: strerror(errno)))", fix: "check that \(directory) is writable")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { close(fd); return nil }
        let left = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap(LockHolder.init(line:))
        let me = LockHolder(pid: Int(getpid()), command: command, started: Date(),
                            host: ProcessInfo.processInfo.hostName)
        ftruncate(fd, 0)
        _ = me.line.withCString { pwrite(fd, $0, strlen($0), 0) }
        fsync(fd)
        return FarmLock(descriptor: fd, path: path, previous: left)
    }

    private static func busy(directory: String) -> FarmError {
        let path = lockPath(directory)
        let who = holder(directory: directory)?.description ?? "another farmctl run"
        return FarmError(problem: "\(who) holds \(path)",
                         fix: "wait for it to finish (`farmctl status` shows its progress), or run with --wait to start when it ends")
    }
}
