import FarmModel

/// A `/proc/cpuinfo` dump farmctl cannot classify, naming the file.
public struct CPUInfoError: UserFacingError, Equatable {
    /// What kind of problem, for callers that react to some of them.
    public enum Kind: String, Sendable { case empty, unsupportedArchitecture, noX86Identity }

    public var kind: Kind
    public var problem: String
    public var fix: String

    static func empty(_ source: String) -> CPUInfoError {
        CPUInfoError(kind: .empty, problem: "\(source): no `key : value` lines; this is not a /proc/cpuinfo dump",
                     fix: "capture it on the node with `cat /proc/cpuinfo > node.cpuinfo` and pass that file")
    }

    static func unsupported(_ source: String, architecture: String, line: Int) -> CPUInfoError {
        CPUInfoError(kind: .unsupportedArchitecture,
                     problem: "\(source):\(line): this is a /proc/cpuinfo of an \(architecture) CPU; farmctl classifies x86 CPUs only",
                     fix: "node classes are x86 (i686) or amd64; boot \(architecture) nodes from a root farmctl does not manage")
    }

    static func noIdentity(_ source: String) -> CPUInfoError {
        CPUInfoError(kind: .noX86Identity,
                     problem: "\(source): no `vendor_id` or `cpu family` line in any processor block",
                     fix: "pass the complete /proc/cpuinfo of an x86 machine (it starts with `processor : 0`)")
    }
}
