import FarmModel

/// Runs commands on one worker host. The local host and (later) SSH hosts implement it alike.
public protocol WorkerTransport: Sendable {
    /// A short name for messages, e.g. `local` or `user@host`.
    var endpoint: String { get }

    /// Runs `command`, appending its combined output to `logPath` (when given) and passing each line to `onLine`.
    func run(_ command: Command, logPath: String?, onLine: @escaping @Sendable (String) -> Void) async throws -> CommandResult

    /// Runs `command` and returns its standard output (at most `limit` bytes), for short queries.
    func capture(_ command: Command, limit: Int) async throws -> (CommandResult, String)

    /// Copies a coordinator file to `remotePath` on the worker: written under a temporary name, verified by
    /// SHA-256, then renamed into place (a partial file never appears at `remotePath`). Creates parent directories.
    func upload(_ localPath: String, to remotePath: String) async throws

    /// Copies a worker file to `localPath` on the coordinator the same way (temporary name, verified, renamed).
    func download(_ remotePath: String, to localPath: String) async throws
}

extension WorkerTransport {
    /// Runs a POSIX shell script on the worker and returns its standard output; throws when it fails.
    public func shell(_ script: String, limit: Int = 16 << 20) async throws -> String {
        let (result, output) = try await capture(Command("/bin/sh", ["-c", script]), limit: limit)
        guard result.termination.succeeded else {
            throw Problem(problem: "on worker \(endpoint): `\(script.prefix(200))` ended with \(result.termination): \(result.tail.suffix(3).joined(separator: " / "))",
                          fix: "check the worker's disk space and permissions under its workdir")
        }
        return output
    }

    /// Runs `command` with no log file and no line handler.
    public func run(_ command: Command) async throws -> CommandResult {
        try await run(command, logPath: nil, onLine: { _ in })
    }
}

/// An error that means the worker itself went away (disconnected, died, unreachable), not that the command
/// failed: a build that meets it may be retried on another worker.
public protocol WorkerLossError: Error {
    /// True when the worker is lost rather than the command failed.
    var isWorkerLost: Bool { get }
}
