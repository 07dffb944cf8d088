/// An error a person can act on: what is wrong (naming the file, line or thing) and how to fix it.
public protocol UserFacingError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the file and line, the class or the atom.
    var problem: String { get }
    /// What the user should do about it.
    var fix: String { get }
}

extension UserFacingError {
    public var description: String { "\(problem)\n  fix: \(fix)" }
}

extension Error {
    /// The `problem` of a `UserFacingError`, else the error's own description: one line for reports.
    public var problemText: String { (self as? any UserFacingError)?.problem ?? "\(self)" }
}

/// The one concrete problem type: what is wrong (naming the file:line or thing) and the fix. Modules name it for
/// their domain (`typealias SeedError = Problem`) instead of declaring another struct of the same two fields.
public struct Problem: UserFacingError, Hashable {
    public var problem: String
    public var fix: String
    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }
}

/// A place in a text file, for error messages: `path:line`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file's path as the user named it.
    public var path: String
    /// The 1-based line number, or nil when the whole file is meant.
    public var line: Int?

    public init(path: String, line: Int? = nil) {
        self.path = path
        self.line = line
    }

    public var description: String { line.map { "\(path):\($0)" } ?? path }
}

/// A broken invariant inside farmctl itself (a bug, not bad input).
public struct InternalError: UserFacingError {
    public var problem: String
    public var fix: String { "this is a bug in farmctl; please report it with the command you ran" }
    public init(_ problem: String) { self.problem = "internal error: \(problem)" }
}
