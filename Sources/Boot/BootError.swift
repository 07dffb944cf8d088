import FarmModel

/// A problem writing the network-boot files, naming the file or class and how to fix it.
public struct BootError: UserFacingError, Equatable {
    public var problem: String
    public var fix: String

    /// An error saying what is wrong (`problem`, naming the path or class) and what to do (`fix`).
    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }
}
