import Foundation

/// Runs commands and copies files on a worker over SSH (libssh2), on one session per host that every call shares.
///
/// The session opens on first use, runs any number of commands at once (one channel each) and reconnects on the
/// next call after it was lost. A chroot is fixed per transport value: `chrooted(_:)` gives a transport that runs
/// commands inside another directory of the same host over the same session (one per arch, as workers.conf says).
/// `upload`/`download` paths are host paths, outside any chroot.
public struct SSHTransport: WorkerTransport {
    /// The worker.
    public let target: SSHTarget
    /// The directory commands run chrooted into (`chroot DIR /bin/sh -c …`), or nil for the host itself.
    public let chroot: String?
    /// How many trailing output lines a result keeps.
    public let tailLines: Int
    let connection: SSHConnection

    public init(target: SSHTarget, chroot: String? = nil, tailLines: Int = 30) {
        self.target = target
        self.chroot = chroot
        self.tailLines = tailLines
        connection = SSHConnection(target: target)
    }

    /// The same worker and session, running commands chrooted into `directory` (nil: on the host itself).
    public func chrooted(_ directory: String?) -> SSHTransport {
        SSHTransport(target: target, chroot: directory, tailLines: tailLines, connection: connection)
    }

    private init(target: SSHTarget, chroot: String?, tailLines: Int, connection: SSHConnection) {
        self.target = target
        self.chroot = chroot
        self.tailLines = tailLines
        self.connection = connection
    }

    public var endpoint: String { target.endpoint }

    /// Opens the session now (connect, host key, login) instead of on the first command.
    public func connect() async throws {
        try await connection.perform { .connect($0) }
    }

    /// Closes the session: running commands fail with `workerLost`; the next call opens a new session.
    public func close() {
        connection.close()
    }

    /// Runs `command`; `onLine` is called on the session's thread, once per line of stdout or stderr in arrival order.
    public func run(_ command: Command, logPath: String?, onLine: @escaping @Sendable (String) -> Void) async throws -> CommandResult {
        let log = try logPath.map { try LogFile(path: $0) }
        defer { log?.close() }
        let line = RemoteCommandLine(command, chroot: chroot).text
        let outcome = try await exec(line, mode: .stream(log: log, onLine: onLine))
        return outcome.result
    }

    public func capture(_ command: Command, limit: Int) async throws -> (CommandResult, String) {
        let outcome = try await exec(RemoteCommandLine(command, chroot: chroot).text, mode: .capture(limit: limit))
        return (outcome.result, outcome.stdout)
    }

    /// Runs a raw shell line on the host (never chrooted).
    func exec(_ line: String, mode: OutputMode) async throws -> ExecOutcome {
        let tailLines = self.tailLines
        return try await connection.perform { .exec(ExecRequest(commandLine: line, mode: mode, tailLines: tailLines, reply: $0)) }
    }
}

/// The session a transport and its chrooted variants share; replaced after it ends.
final class SSHConnection: @unchecked Sendable {
    let target: SSHTarget
    private let lock = NSLock()
    private var current: SSHSession?

    init(target: SSHTarget) { self.target = target }

    deinit { current?.close() }

    /// The open session, or a new one.
    private func session() -> SSHSession {
        lock.withLock {
            if let current, current.isOpen { return current }
            let session = SSHSession(target: target)
            current = session
            return session
        }
    }

    func close() {
        lock.withLock {
            current?.close()
            current = nil
        }
    }

    /// Sends a request to the session; a request that never started because its session had just ended is
    /// retried once on a new session.
    func perform<T: Sendable>(_ request: (CheckedContinuation<T, any Error>) -> SessionRequest) async throws -> T {
        for _ in 0..<3 {
            do {
                return try await withCheckedThrowingContinuation { continuation in
                    let request = request(continuation)
                    if !session().submit(request) { request.fail(SessionGone()) }
                }
            } catch is SessionGone {
                continue
            }
        }
        throw SSHError.workerLost(endpoint: target.endpoint, reason: "the session kept closing before the request started")
    }
}
