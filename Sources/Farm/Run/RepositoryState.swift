import Digests
import Foundation
import Portage
import Workers

/// The state of one ebuild repository that a run is pinned to: its git commit (with a digest of uncommitted
/// changes, if any), or, for a tree that is not a git work tree (rsync, a plain directory), its
/// `metadata/timestamp.chk` and a digest of every file's path, size, mode and modification time.
public struct RepositoryState: Sendable, Hashable, Codable {
    public var repository: String
    public var path: String
    public var state: String

    /// Reads the state of `repository` now.
    static func read(_ repository: Repository) async throws -> RepositoryState {
        let path = repository.location
        var state: String
        if FileManager.default.fileExists(atPath: path + "/.git"), let commit = try await git(path, ["rev-parse", "HEAD"]) {
            state = "git:" + commit
            let changes = try await git(path, ["status", "--porcelain", "--untracked-files=all"]) ?? ""
            if !changes.isEmpty { state += "+changes:" + String(try stamp(path).prefix(16)) }
        } else {
            state = "tree:" + String(try stamp(path).prefix(16))
            if let stamp = try? String(contentsOfFile: path + "/metadata/timestamp.chk", encoding: .utf8) {
                state = "timestamp:" + stamp.trimmingCharacters(in: .whitespacesAndNewlines) + " " + state
            }
        }
        return RepositoryState(repository: repository.name, path: path, state: state)
    }

    private static func stamp(_ path: String) throws -> String {
        do { return try TreeDigest.metadataStamp(path) } catch let error as TreeDigest.UnreadableDirectory {
            throw FarmError(problem: error.description, fix: "check its permissions")
        }
    }

    private static func git(_ directory: String, _ arguments: [String]) async throws -> String? {
        let (result, output) = try await LocalTransport().capture(Command("git", ["-C", directory] + arguments), limit: 1 << 20)
        return result.termination.succeeded ? output.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
