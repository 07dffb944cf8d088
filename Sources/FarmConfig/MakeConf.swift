import FarmModel
import Foundation

/// A parsed `make.conf`: its variable assignments in order, expanded as Portage expands them.
public struct MakeConf: Sendable, Equatable {
    /// One `VAR=value` line (or lines, for a multi-line value).
    public struct Assignment: Sendable, Equatable {
        /// The variable's name.
        public var name: String
        /// The value after quote removal and `$VAR` expansion.
        public var value: String
        /// Where the assignment starts (in a `source`d file, that file).
        public var location: SourceLocation
    }

    /// The file that was parsed.
    public var path: String
    /// Every assignment in order, including those from `source`d files; later ones override earlier ones.
    public var assignments: [Assignment]

    /// The final value of `name`, nil when it is never assigned.
    public func value(_ name: String) -> String? { assignments.last { $0.name == name }?.value }

    /// Where `name` was last assigned.
    public func location(of name: String) -> SourceLocation? { assignments.last { $0.name == name }?.location }

    /// The variable names in order of first assignment.
    public var names: [String] {
        var seen = Set<String>()
        return assignments.map(\.name).filter { seen.insert($0).inserted }
    }

    /// `CFLAGS`.
    public var cflags: String? { value("CFLAGS") }
    /// `CHOST`.
    public var chost: String? { value("CHOST") }
    /// `USE`, split into flags (`-flag` kept as written).
    public var use: [String] { tokens("USE") }
    /// `CPU_FLAGS_X86`, split into flags.
    public var cpuFlagsX86: [String] { tokens("CPU_FLAGS_X86") }
    /// The `-march=` value in `CFLAGS` (the last one, as the compiler uses it), nil if none.
    public var march: String? {
        tokens("CFLAGS").last { $0.hasPrefix("-march=") }.map { String($0.dropFirst("-march=".count)) }
    }

    /// The whitespace-separated words of `name`'s value.
    public func tokens(_ name: String) -> [String] {
        (value(name) ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Reads and parses the make.conf at `url`; `environment` supplies values for `$VAR` not assigned in the file.
    public static func load(from url: URL, environment: [String: String] = [:]) throws(ConfigError) -> MakeConf {
        var parser = MakeConfParser(environment: environment)
        try parser.parseFile(url.standardizedFileURL, from: nil)
        return MakeConf(path: url.standardizedFileURL.path, assignments: parser.assignments)
    }

    /// Parses `text` as the contents of the file at `path` (whose directory `source` lines resolve against).
    public static func parse(_ text: String, path: String, environment: [String: String] = [:]) throws(ConfigError) -> MakeConf {
        var parser = MakeConfParser(environment: environment)
        try parser.parse(text, url: URL(fileURLWithPath: path))
        return MakeConf(path: path, assignments: parser.assignments)
    }
}
