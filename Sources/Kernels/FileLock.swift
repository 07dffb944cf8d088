import FarmModel
import Foundation
import Workers

/// An exclusive `flock` on a file under the kernel cache, held while `body` runs: two builds of one kernel (two
/// classes with the same key, or two farmctl processes) take turns, and the second finds the first's result cached.
enum FileLock {
    static func holding<T: Sendable>(_ path: String, _ body: () async throws -> T) async throws -> T {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = try await onOwnThread(named: "farmctl-kernel-lock") { () throws -> Int32 in
            let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
            guard fd >= 0, flock(fd, LOCK_EX) == 0 else {
                let reason = String(cString: strerror(errno))
                if fd >= 0 { close(fd) }
                throw Problem(problem: "cannot lock \(path): \(reason)", fix: "check the permissions of the kernel cache")
            }
            return fd
        }
        defer { close(descriptor) }  // closing the descriptor releases the lock
        return try await body()
    }
}
