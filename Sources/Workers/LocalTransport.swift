import Foundation
import FarmModel
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs commands on the coordinator itself, with `linux32` for the 32-bit personality.
public struct LocalTransport: WorkerTransport {
    public var endpoint: String { "localhost" }
    /// How many trailing output lines a result keeps.
    public var tailLines: Int

    /// Set for the length of a farm run (`FARMCTL_RUN=<run id>@<state directory>`): every process started here carries it in its
    /// environment, so the next run can find and stop what a run killed mid-way left behind.
    @TaskLocal public static var runMarker: String?

    public init(tailLines: Int = 30) {
        self.tailLines = tailLines
    }

    public func run(_ command: Command, logPath: String?, onLine: @escaping @Sendable (String) -> Void) async throws -> CommandResult {
        let log = try logPath.map { try LogFile(path: $0) }
        defer { log?.close() }
        let keep = tailLines
        do {
            let result = try await Subprocess.run(
                Self.configuration(command), input: .none, output: .sequence, error: .combinedWithOutput
            ) { execution in
                var tail: [String] = []
                for try await line in execution.standardOutput.strings() {
                    log?.write(line)
                    onLine(line)
                    tail.append(line)
                    if tail.count > keep { tail.removeFirst(tail.count - keep) }
                }
                return tail
            }
            return CommandResult(termination: Self.termination(result.terminationStatus), tail: result.closureResult)
        } catch let error as SubprocessError {
            throw CommandLaunchError(command: command.description, reason: "\(error)")
        }
    }

    public func capture(_ command: Command, limit: Int) async throws -> (CommandResult, String) {
        do {
            let result = try await Subprocess.run(
                Self.configuration(command), output: .string(limit: limit), error: .string(limit: 64 * 1024))
            let stderr = result.standardError.split(separator: "\n").suffix(tailLines).map(String.init)
            return (CommandResult(termination: Self.termination(result.terminationStatus), tail: stderr),
                    result.standardOutput)
        } catch let error as SubprocessError {
            throw CommandLaunchError(command: command.description, reason: "\(error)")
        }
    }

    /// The subprocess to start for `command`: `linux32` in front for the 32-bit personality.
    static func configuration(_ command: Command) -> Configuration {
        let (executable, arguments) = resolve(command)
        return Configuration(executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable), arguments: Arguments(arguments),
                             environment: environment(command),
                             workingDirectory: command.workingDirectory.map { FilePath($0) },
                             platformOptions: options())
    }

    static func resolve(_ command: Command) -> (String, [String]) {
        switch command.personality {
        case .native: (command.executable, command.arguments)
        case .linux32: ("linux32", [command.executable] + command.arguments)
        }
    }

    static func environment(_ command: Command) -> Environment {
        var updates: [Environment.Key: String?] = [:]
        for (key, value) in command.environment { updates[Environment.Key(rawValue: key)!] = value }
        if let marker = runMarker { updates["FARMCTL_RUN"] = marker }
        return .inherit.updating(updates)
    }

    static func options() -> PlatformOptions {
        var options = PlatformOptions()
        // Ask the child's whole process group to stop when we are cancelled.
        options.processGroupID = 0
        options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(5))]
        return options
    }

    static func termination(_ status: TerminationStatus) -> Termination {
        switch status {
        case .exited(let code): .exited(code)
        case .signaled(let signal): .signaled(signal)
        }
    }
}

/// An append-only log file written line by line.
final class LogFile: @unchecked Sendable {
    private let handle: FileHandle

    init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandLaunchError(command: "open \(path)", reason: "cannot write the log file")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }

    func close() {
        try? handle.close()
    }
}
