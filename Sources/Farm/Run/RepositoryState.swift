import Binpkg
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
            if !changes.isEmpty { state += "+changes:" + String(try FileTreeStamp.digest(path).prefix(16)) }
        } else {
            state = "tree:" + String(try FileTreeStamp.digest(path).prefix(16))
            if let stamp = try? String(contentsOfFile: path + "/metadata/timestamp.chk", encoding: .utf8) {
                state = "timestamp:" + stamp.trimmingCharacters(in: .whitespacesAndNewlines) + " " + state
            }
        }
        return RepositoryState(repository: repository.name, path: path, state: state)
    }

    private static func git(_ directory: String, _ arguments: [String]) async throws -> String? {
        let (result, output) = try await LocalTransport().capture(Command("git", ["-C", directory] + arguments), limit: 1 << 20)
        return result.termination.succeeded ? output.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}

/// A digest of a directory tree's metadata (path, type, size, mode, mtime in ns, link target), not its contents:
/// cheap enough for a whole Gentoo tree, and any edit, sync or checkout changes it. `.git` is skipped.
enum FileTreeStamp {
    static func digest(_ root: String) throws -> String {
        var lines: [String] = []
        try walk(root, relative: "", into: &lines)
        lines.sort()
        return try Digest.hex(.sha256, of: Data(lines.joined(separator: "\n").utf8))
    }

    private static func walk(_ directory: String, relative: String, into lines: inout [String]) throws {
        guard let handle = opendir(directory) else {
            throw FarmError(problem: "cannot read \(directory): \(String(cString: strerror(errno)))", fix: "check its permissions")
        }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." || (relative.isEmpty && name == ".git") { continue }
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }  // vanished while walking
            let kind = info.st_mode & S_IFMT
            var line = "\(rel)\t\(info.st_mode)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            if kind == S_IFLNK {
                line += "\t" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
            }
            lines.append(line)
            if kind == S_IFDIR { try walk(path, relative: rel, into: &lines) }
        }
    }
}
