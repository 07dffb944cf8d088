/// A `Command` rendered as the line a worker's login shell runs over SSH.
///
/// Plain: `cd 'DIR' && exec env -u VAR K='v' [linux32] 'PROG' 'ARG'…` (the `cd` only with a working directory,
/// `env` only with environment changes, `linux32` for the 32-bit personality). In a chroot, the working directory
/// is inside it: `exec env … [linux32] chroot 'ROOT' /bin/sh -c 'cd '\''DIR'\'' && exec '\''PROG'\'' …'`.
public struct RemoteCommandLine: Sendable, Hashable, CustomStringConvertible {
    /// The shell line.
    public let text: String

    /// Renders `command`, inside the chroot `root` when given.
    public init(_ command: Command, chroot root: String? = nil) {
        let program = ([command.executable] + command.arguments).map(Self.quote).joined(separator: " ")
        var prefix: [String] = []
        let unset = command.environment.filter { $0.value == nil }.keys.sorted()
        let set = command.environment.compactMap { key, value in value.map { (key, $0) } }.sorted { $0.0 < $1.0 }
        if !unset.isEmpty || !set.isEmpty {
            prefix.append("env")
            prefix += unset.flatMap { ["-u", Self.quote($0)] }
            prefix += set.map { Self.assignment($0.0, $0.1) }
        }
        if command.personality == .linux32 { prefix.append("linux32") }
        let directory = command.workingDirectory.map { "cd \(Self.quote($0)) && " } ?? ""
        if let root {
            let inner = directory + "exec " + program
            text = "exec " + (prefix + ["chroot", Self.quote(root), "/bin/sh", "-c", Self.quote(inner)]).joined(separator: " ")
        } else {
            text = directory + "exec " + (prefix + [program]).joined(separator: " ")
        }
    }

    public var description: String { text }

    /// POSIX single-quoting: `'…'`, with each `'` written as `'\''`.
    public static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `NAME='value'` for a portable variable name, else the whole `'NAME=value'` quoted (env(1) reads both).
    static func assignment(_ name: String, _ value: String) -> String {
        let portable = name.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
            && name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return portable ? name + "=" + quote(value) : quote(name + "=" + value)
    }
}
