import Foundation

extension LocalTransport {
    public func upload(_ localPath: String, to remotePath: String) async throws {
        try Self.copyVerified(from: localPath, to: remotePath)
    }

    public func download(_ remotePath: String, to localPath: String) async throws {
        try Self.copyVerified(from: remotePath, to: localPath)
    }

    /// Copies under a temporary name beside the target, compares contents, renames into place.
    static func copyVerified(from source: String, to target: String) throws {
        let fm = FileManager.default
        let temporary = target + ".part-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: source, toPath: temporary)
            guard fm.contentsEqual(atPath: source, andPath: temporary) else {
                throw CommandLaunchError(command: "copy \(source)", reason: "the copy at \(temporary) differs from the original")
            }
            guard rename(temporary, target) == 0 else {
                throw CommandLaunchError(command: "copy \(source)", reason: "cannot rename into \(target): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? fm.removeItem(atPath: temporary)
            if error is CommandLaunchError { throw error }
            throw CommandLaunchError(command: "copy \(source) to \(target)", reason: "\(error)")
        }
    }
}
