import FarmModel

/// A command for a worker to run: program, arguments, environment and the CPU personality to run it under.
public struct Command: Sendable, Hashable, CustomStringConvertible {
    /// How the process sees the machine: native, or 32-bit (`linux32`, `uname -m` says i686).
    public enum Personality: String, Sendable, Hashable {
        case native
        case linux32
    }

    /// The program: a path, or a name looked up on PATH.
    public var executable: String
    /// Arguments after the program name.
    public var arguments: [String]
    /// Variables added to (or, with a nil value, removed from) the worker's environment.
    public var environment: [String: String?]
    /// The directory to run in, or nil for the worker's default.
    public var workingDirectory: String?
    /// Native or 32-bit personality.
    public var personality: Personality

    public init(_ executable: String, _ arguments: [String] = [], environment: [String: String?] = [:],
                workingDirectory: String? = nil, personality: Personality = .native) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.personality = personality
    }

    /// The command line as a person would type it (for logs and errors).
    public var description: String {
        let words = (personality == .linux32 ? ["linux32"] : []) + [executable] + arguments
        return words.map(Command.shellQuoted).joined(separator: " ")
    }

    /// The word quoted for a POSIX shell (unchanged when it needs no quoting).
    public static func shellQuoted(_ word: String) -> String {
        if !word.isEmpty, word.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:@+%,".contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// How a command ended.
public enum Termination: Sendable, Hashable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// True for exit status 0.
    public var succeeded: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signaled(let signal): "signal \(signal)\(signal == 4 ? " (SIGILL)" : signal == 9 ? " (SIGKILL)" : "")"
        }
    }
}

/// What a finished command produced.
public struct CommandResult: Sendable {
    /// How it ended.
    public var termination: Termination
    /// The last lines of its combined output, for error messages.
    public var tail: [String]

    public init(termination: Termination, tail: [String]) {
        self.termination = termination
        self.tail = tail
    }
}

/// A command could not be started at all (missing program, bad directory). The worker itself is fine.
public struct CommandLaunchError: UserFacingError, WorkerLossError {
    public var command: String
    public var reason: String
    public init(command: String, reason: String) {
        self.command = command
        self.reason = reason
    }
    public var problem: String { "could not start `\(command)`: \(reason)" }
    public var fix: String { "check that the program exists on the worker and is executable (see `emerge` in workers.conf)" }
    /// Always false: the worker answered, the command could not start there.
    public var isWorkerLost: Bool { false }
}
