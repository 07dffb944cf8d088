import FarmModel
import Foundation

/// A file on the coordinator (or, for LocalTransport, on the local worker) could not be read, written or
/// verified during an upload or download.
public struct FileTransferError: UserFacingError, WorkerLossError {
    /// The file concerned.
    public var path: String
    /// What went wrong, e.g. `cannot read: No such file or directory`.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    init(path: String, action: String, errno code: Int32) {
        self.init(path: path, reason: "cannot \(action): \(String(cString: strerror(code)))")
    }

    public var problem: String { "\(path): \(reason)" }
    public var fix: String { "check that the file exists, its directory is writable and the disk is not full" }
    /// Always false: a local file problem says nothing about the worker.
    public var isWorkerLost: Bool { false }
}

/// Names for files being copied: a hidden temporary name beside the target, unique per copy.
enum TransferPaths {
    /// `DIR/.NAME.farmctl-RANDOM.part` beside `target` (plain string work: `target` may be a worker path).
    static func temporary(besides target: String) -> String {
        let name = target.split(separator: "/").last.map(String.init) ?? target
        let directory = parent(of: target)
        let random = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        return (directory == "/" ? "" : directory) + "/." + name + ".farmctl-" + random + ".part"
    }

    /// The directory holding `path` (`/` for a top-level file, `.` for a bare name).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
