import Foundation

/// What an exec's output is for: streamed as lines (to a log and a handler), or captured for a short query.
enum OutputMode: Sendable {
    /// Each line of stdout and stderr, in arrival order, to `log` and `onLine` (called on the session thread).
    case stream(log: LogFile?, onLine: @Sendable (String) -> Void)
    /// Stdout kept up to `limit` bytes; stderr kept as its last lines.
    case capture(limit: Int)
}

/// Splits an exec's stdout and stderr into lines as chunks arrive and keeps what the result reports.
/// Lives on the session thread.
final class OutputCollector {
    private let mode: OutputMode
    private let tailLines: Int
    private var partial: [[UInt8]] = [[], []]
    private(set) var tail: [String] = []
    private var stdout: [UInt8] = []

    init(mode: OutputMode, tailLines: Int) {
        self.mode = mode
        self.tailLines = tailLines
    }

    /// Takes a chunk of stream 0 (stdout) or 1 (stderr).
    func append(stream: Int, _ bytes: UnsafeRawBufferPointer) {
        if case .capture(let limit) = mode, stream == 0 {
            stdout.append(contentsOf: bytes.prefix(max(0, limit - stdout.count)))
            return
        }
        split(stream, bytes)
    }

    /// Flushes unterminated last lines; returns the captured stdout.
    func finish() -> String {
        for stream in 0..<2 where !partial[stream].isEmpty {
            emit(String(decoding: partial[stream], as: UTF8.self))
            partial[stream].removeAll()
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    private func split(_ stream: Int, _ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            guard let newline = memchr(base + start, 10, bytes.count - start) else {
                partial[stream].append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start...]))
                return
            }
            let end = base.distance(to: UnsafeRawPointer(newline))
            let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            if partial[stream].isEmpty {
                emit(String(decoding: piece, as: UTF8.self))
            } else {
                partial[stream].append(contentsOf: piece)
                emit(String(decoding: partial[stream], as: UTF8.self))
                partial[stream].removeAll(keepingCapacity: true)
            }
            start = end + 1
        }
    }

    private func emit(_ line: String) {
        if case .stream(let log, let onLine) = mode {
            log?.write(line)
            onLine(line)
        }
        tail.append(line)
        if tail.count > tailLines { tail.removeFirst(tail.count - tailLines) }
    }
}

/// Signal names as an sshd reports them (`exit-signal`, RFC 4254 without `SIG`) and their Linux numbers.
enum SignalNames {
    static let numbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "BUS": 7, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15, "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19,
        "TSTP": 20, "TTIN": 21, "TTOU": 22, "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28,
        "IO": 29, "PWR": 30, "SYS": 31,
    ]

    /// The number for `name` (`ILL`, `SIGILL`; OpenSSH's `SIG@openssh.com` for unnamed signals gives 0).
    static func number(_ name: String) -> Int32 {
        var key = name.uppercased()
        if key.hasPrefix("SIG") { key.removeFirst(3) }
        return numbers[key] ?? 0
    }
}
