import Foundation
import FarmModel

/// An ebuild repository on disk: its name (from `profiles/repo_name`) and location.
public struct Repository: Sendable, Hashable {
    /// The name ebuilds and profiles refer to (`farm`, `gentoo`).
    public var name: String
    /// The absolute path of its top directory.
    public var location: String

    public init(name: String, location: String) {
        self.name = name
        self.location = location
    }

    /// Reads `profiles/repo_name` of the repository at `location`.
    public static func load(at location: String) throws -> Repository {
        let file = (location as NSString).appendingPathComponent("profiles/repo_name")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw PortageError(problem: "\(location) is not an ebuild repository: \(file) is missing",
                               fix: "point `repositories` in workers.conf at a directory holding profiles/repo_name")
        }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else {
            throw PortageError(problem: "\(file) is empty", fix: "write the repository's name into it")
        }
        return Repository(name: name, location: location)
    }

    /// The `PORTAGE_REPOSITORIES` text (repos.conf syntax) naming `repositories`, the first one as main.
    public static func reposConf(_ repositories: [Repository]) -> String {
        var text = "[DEFAULT]\nmain-repo = \(repositories.first?.name ?? "gentoo")\n"
        for repository in repositories {
            text += "\n[\(repository.name)]\nlocation = \(repository.location)\nauto-sync = no\n"
        }
        return text
    }
}

/// Something about Portage or its inputs is wrong.
public typealias PortageError = Problem
