import FarmModel

/// Runs commands on one worker host. The local host and (later) SSH hosts implement it alike.
public protocol WorkerTransport: Sendable {
    /// A short name for messages, e.g. `local` or `user@host`.
    var endpoint: String { get }

    /// Runs `command`, appending its combined output to `logPath` (when given) and passing each line to `onLine`.
    func run(_ command: Command, logPath: String?, onLine: @escaping @Sendable (String) -> Void) async throws -> CommandResult

    /// Runs `command` and returns its standard output (at most `limit` bytes), for short queries.
    func capture(_ command: Command, limit: Int) async throws -> (CommandResult, String)
}

extension WorkerTransport {
    /// Runs `command` with no log file and no line handler.
    public func run(_ command: Command) async throws -> CommandResult {
        try await run(command, logPath: nil, onLine: { _ in })
    }
}
