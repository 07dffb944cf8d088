import FarmModel
import Foundation

/// The farm's settings from `workers.conf`: resolved absolute paths and the workers.
public struct FarmSettings: Sendable, Equatable {
    /// The `workers.conf` that was read.
    public var configFile: URL
    /// Base directory for the defaults below (`state`, default `var`).
    public var state: URL
    /// The SQLite provenance database (default `<state>/farm.sqlite`).
    public var database: URL
    /// The DISTDIR shared by every class and worker (default `<state>/distfiles`).
    public var distfiles: URL
    /// The PKGDIR parent: one `<packages>/<CLASS>` per class (default `<state>/packages`).
    public var packages: URL
    /// Root generations: `<roots>/<CLASS>/<N>/` and `<roots>/<CLASS>/current` (default `<state>/roots`).
    public var roots: URL
    /// Build logs (default `<state>/logs`).
    public var logs: URL
    /// Class profiles, one directory per node class (default `profiles`).
    public var profiles: URL
    /// Ebuild repositories; the first is the main one (default `["repo"]`).
    public var repositories: [URL]
    /// Local directories distfiles are copied from (default `["mirror"]`).
    public var mirrors: [URL]
    /// The coordinator's emerge (`[farm] emerge`), for planning and assembling when no worker is `localhost`.
    public var emerge: String?
    /// How many published generations of each class stay on disk (`[farm] keep_generations`, ≥ 1, default 5);
    /// older ones are pruned after a publish. `current` is never pruned.
    public var keepGenerations: Int = 5
    /// `[farm] sync`: the shell command `farmctl nightly` runs first (in workers.conf's directory) to update the
    /// repositories, e.g. `emerge --sync` or `git -C repo pull --ff-only`; nil: no sync step.
    public var sync: String? = nil
    /// `[farm] merger`: what installs binpkgs into a root generation; farmctl's own merger by default.
    public var merger: Merger = .farmctl
    /// `[farm] signing_key`: the GnuPG home holding the farm's one binpkg signing key; gpkg classes' binpkgs are
    /// signed with it (Portage's `binpkg-signing`) and checked against it. nil: binpkgs are not signed.
    public var signingKey: URL? = nil
    /// The workers, in file order.
    public var workers: [WorkerSpec]
    /// The `[pxe]` table: PXE boot files and NFS exports; nil when farmctl does not manage network boot.
    public var pxe: PXESettings? = nil

    /// The directory holding `workers.conf`, against which relative paths resolve.
    public var directory: URL { configFile.deletingLastPathComponent() }

    /// The PKGDIR of `nodeClass`.
    public func packagesDirectory(for nodeClass: ClassName) -> URL { packages.appendingPathComponent(nodeClass.rawValue) }

    /// The directory holding `nodeClass`'s root generations.
    public func rootsDirectory(for nodeClass: ClassName) -> URL { roots.appendingPathComponent(nodeClass.rawValue) }

    /// Reads `workers.conf` at `url`; a missing file names the path and suggests `--config`.
    public static func load(from url: URL) throws(ConfigError) -> FarmSettings {
        let text = try readConfigFile(url, fix: "create \(url.lastPathComponent) there, or point farmctl at it with `--config PATH`")
        return try parse(text, configFile: url)
    }

    /// Parses `text` as the contents of `configFile`.
    public static func parse(_ text: String, configFile: URL) throws(ConfigError) -> FarmSettings {
        let configFile = configFile.standardizedFileURL
        let root = try TOML.parse(text, path: configFile.path)
        let directory = configFile.deletingLastPathComponent()
        try TableReader(table: root, name: configFile.lastPathComponent).rejectUnknownKeys(allowed: ["farm", "worker", "pxe"], what: "table")

        let farm = try table(root, "farm", in: configFile) ?? TOMLTable(location: SourceLocation(path: configFile.path))
        let reader = TableReader(table: farm, name: "[farm]")
        try reader.rejectUnknownKeys(allowed: farmKeys)
        func path(_ key: String, default fallback: @autoclosure () -> URL) throws(ConfigError) -> URL {
            try reader.string(key).map { resolvePath($0.value, against: directory) } ?? fallback()
        }
        func paths(_ key: String, default fallback: [String]) throws(ConfigError) -> [URL] {
            (try reader.strings(key)?.value.map(\.value) ?? fallback).map { resolvePath($0, against: directory) }
        }
        let state = try path("state", default: directory.appendingPathComponent("var"))
        let repositories = try paths("repositories", default: ["repo"])
        if repositories.isEmpty, let entry = farm["repositories"] {
            throw reader.invalid("repositories", at: entry.value.location, "is empty",
                                 fix: "list at least the main ebuild repository, e.g. repositories = [\"repo\"]")
        }
        let roots = try path("roots", default: state.appendingPathComponent("roots"))
        let pxe = try table(root, "pxe", in: configFile).map { table throws(ConfigError) in
            try PXESettings(table, directory: directory, state: state, roots: roots)
        }
        return FarmSettings(
            configFile: configFile, state: state,
            database: try path("database", default: state.appendingPathComponent("farm.sqlite")),
            distfiles: try path("distfiles", default: state.appendingPathComponent("distfiles")),
            packages: try path("packages", default: state.appendingPathComponent("packages")),
            roots: roots,
            logs: try path("logs", default: state.appendingPathComponent("logs")),
            profiles: try path("profiles", default: directory.appendingPathComponent("profiles")),
            repositories: repositories,
            mirrors: try paths("mirrors", default: ["mirror"]),
            emerge: try reader.string("emerge").map { $0.value.contains("/") ? resolvePath($0.value, against: directory).path : $0.value },
            keepGenerations: try keepGenerations(reader),
            sync: try sync(reader),
            merger: try merger(reader),
            signingKey: try reader.string("signing_key").map { resolvePath($0.value, against: directory) },
            workers: try workers(root, configFile: configFile),
            pxe: pxe)
    }

    static let farmKeys = ["state", "database", "distfiles", "packages", "roots", "logs", "profiles", "repositories", "mirrors", "emerge", "keep_generations", "sync", "merger", "signing_key"]

    private static func sync(_ reader: TableReader) throws(ConfigError) -> String? {
        guard let sync = try reader.string("sync") else { return nil }
        guard !sync.value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw reader.invalid("sync", at: sync.location, "is empty",
                                 fix: "remove the line, or name the command that updates the repositories, e.g. sync = \"git -C repo pull --ff-only\"")
        }
        return sync.value
    }

    private static func merger(_ reader: TableReader) throws(ConfigError) -> Merger {
        guard let value = try reader.string("merger") else { return .farmctl }
        guard let merger = Merger(rawValue: value.value) else {
            throw reader.invalid("merger", at: value.location, "is \"\(value.value)\", which is not a merger",
                                 fix: "set merger = \"farmctl\" (farmctl's own, the default) or \"emerge\" (Portage's emerge --usepkgonly)")
        }
        return merger
    }

    private static func keepGenerations(_ reader: TableReader) throws(ConfigError) -> Int {
        guard let keep = try reader.integer("keep_generations") else { return 5 }
        guard keep.value >= 1 else {
            throw reader.invalid("keep_generations", at: keep.location, "must be at least 1 (the published root), found \(keep.value)",
                                 fix: "set keep_generations = 5, or another number of generations to keep for rollback")
        }
        return keep.value
    }

    private static func table(_ root: TOMLTable, _ key: String, in configFile: URL) throws(ConfigError) -> TOMLTable? {
        guard let entry = root[key] else { return nil }
        guard case .table(let table) = entry.value.kind else {
            throw ConfigError(.wrongType, at: entry.keyLocation, "`\(key)` must be a table", fix: "write it as a `[\(key)]` section")
        }
        return table
    }

    private static func workers(_ root: TOMLTable, configFile: URL) throws(ConfigError) -> [WorkerSpec] {
        let example = "add a section such as:\n    [worker.local]\n    host = \"localhost\"\n    jobs = 2\n    arches = [\"amd64\"]\n    workdir = \"var/work/local\""
        guard let section = try table(root, "worker", in: configFile), !section.entries.isEmpty else {
            throw ConfigError(.missingKey, at: SourceLocation(path: configFile.path), "no workers are defined", fix: example)
        }
        var workers: [WorkerSpec] = []
        for entry in section.entries {
            guard case .table(let table) = entry.value.kind else {
                throw ConfigError(.wrongType, at: entry.keyLocation, "`worker.\(entry.key)` must be a table",
                                  fix: "write workers as `[worker.NAME]` sections")
            }
            let worker = try WorkerSpec(name: entry.key, table: table, directory: configFile.deletingLastPathComponent())
            if let other = workers.first(where: { $0.name.lowercased() == worker.name.lowercased() }) {
                throw ConfigError(.duplicate, at: worker.location,
                                  "worker `\(worker.name)` has the same name as `\(other.name)` (at \(other.location)) apart from case",
                                  fix: "give each worker a distinct name")
            }
            workers.append(worker)
        }
        return workers
    }
}

/// What installs binpkgs into a root generation (`[farm] merger`).
public enum Merger: String, Sendable, Hashable {
    /// farmctl's own: images extracted in parallel and merged with their vdb entries as Portage writes them.
    case farmctl
    /// Portage's `emerge --usepkgonly`.
    case emerge
}
