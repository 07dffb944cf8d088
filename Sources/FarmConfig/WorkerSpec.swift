import FarmModel
import Foundation

/// One `[worker.NAME]` section of `workers.conf`.
public struct WorkerSpec: Sendable, Equatable {
    /// The worker's name (the part after `worker.`).
    public var name: String
    /// The host to run on; `localhost` means the coordinator itself.
    public var host: String
    /// How many builds run at once (≥ 1).
    public var jobs: Int
    /// The architectures the worker builds, in the order written (non-empty).
    public var arches: [Arch]
    /// The directory builds run in; absolute.
    public var workdir: URL
    /// Relative speed for scheduling (> 0, default 1).
    public var speed: Double
    /// The emerge command to run.
    public var emerge: EmergeCommand
    /// SSH port for a remote host.
    public var port: Int?
    /// SSH user for a remote host.
    public var user: String?
    /// SSH private key for a remote host.
    public var identity: URL?
    /// SSH known_hosts file for a remote host.
    public var knownHosts: URL?
    /// Where `identity` and `known_hosts` are written, for `checkKeyFiles()`.
    var keyLocations: [String: SourceLocation] = [:]
    /// Per arch, a directory on the worker to build that arch in (`linux32 chroot DIR …`), from `[worker.NAME.chroot]`.
    public var chroot: [Arch: String] = [:]
    /// Where the `[worker.NAME]` header is.
    public var location: SourceLocation

    /// True when the host is the coordinator itself.
    public var isLocal: Bool { Self.localHosts.contains(host) }

    static let localHosts: Set<String> = ["localhost", "127.0.0.1", "::1"]
}

/// Which `emerge` a worker runs.
public enum EmergeCommand: Sendable, Equatable {
    /// The `emerge` key: an absolute path, or a bare command name looked up on PATH.
    case configured(String)
    /// The venv beside `workers.conf` (`.venv/bin/emerge`), found at load time.
    case venv(URL)
    /// `emerge` on PATH.
    case onPath

    /// The command to execute.
    public var command: String {
        switch self {
        case .configured(let command): command
        case .venv(let url): url.path
        case .onPath: "emerge"
        }
    }
}

extension WorkerSpec {
    static let keys = ["host", "jobs", "arches", "workdir", "speed", "emerge", "port", "user", "identity", "known_hosts", "chroot"]
    static let sshKeys = ["port", "user", "identity", "known_hosts", "chroot"]

    /// Reads and validates one worker table; paths resolve against `directory`.
    init(name: String, table: TOMLTable, directory: URL) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[worker.\(name)]")
        try reader.rejectUnknownKeys(allowed: Self.keys)
        guard ClassName(name) != nil else {
            throw ConfigError(.invalidValue, at: table.location, "worker name `\(name)` is not usable as a directory name",
                              fix: "use letters, digits, `-`, `_` and `.` in [worker.NAME]")
        }
        self.name = name
        location = table.location
        host = try reader.required("host", reader.string).value

        let jobs = try reader.required("jobs", reader.integer)
        guard jobs.value >= 1 else {
            throw reader.invalid("jobs", at: jobs.location, "must be at least 1, found \(jobs.value)", fix: "set jobs = 1 or more")
        }
        self.jobs = jobs.value

        let arches = try reader.required("arches", reader.strings)
        self.arches = try Self.arches(arches, reader: reader)

        let speed = try reader.number("speed")
        if let speed, !(speed.value > 0 && speed.value.isFinite) {
            throw reader.invalid("speed", at: speed.location, "must be greater than 0, found \(speed.value)", fix: "set speed = 1.0 or another positive number")
        }
        self.speed = speed?.value ?? 1

        port = try reader.integer("port").map { port throws(ConfigError) in
            guard (1...65535).contains(port.value) else {
                throw reader.invalid("port", at: port.location, "must be between 1 and 65535, found \(port.value)", fix: "set the SSH port, e.g. port = 22")
            }
            return port.value
        }
        user = try reader.string("user")?.value
        // Key files are checked when the worker is used (`checkKeyFiles`), so queries work while one is missing.
        for key in ["identity", "known_hosts"] { keyLocations[key] = try reader.string(key)?.location }
        identity = try reader.string("identity").map { resolvePath($0.value, against: directory) }
        knownHosts = try reader.string("known_hosts").map { resolvePath($0.value, against: directory) }
        if Self.localHosts.contains(host), let key = Self.sshKeys.first(where: { table[$0] != nil }), let entry = table[key] {
            throw ConfigError(.invalidValue, at: entry.keyLocation, "`\(key)` in [worker.\(name)] applies only to SSH workers, and host is \(host) (the coordinator itself)",
                              fix: "remove `\(key)`, or set host to the worker's address")
        }

        let workdir = try reader.required("workdir", reader.string)
        let isLocal = Self.localHosts.contains(host)
        guard isLocal || workdir.value.hasPrefix("/") else {
            throw reader.invalid("workdir", at: workdir.location, "must be an absolute path on the remote host \(host)",
                                 fix: "write the full path, e.g. workdir = \"/var/tmp/farm\"")
        }
        self.workdir = resolvePath(workdir.value, against: directory)
        emerge = Self.emerge(try reader.string("emerge")?.value, directory: directory)
        if let table = try reader.table("chroot") { chroot = try Self.chroots(table, name: name, arches: self.arches) }
    }

    /// Throws, naming the file and line, when `identity` or `known_hosts` names a file farmctl cannot read.
    public func checkKeyFiles() throws(ConfigError) {
        let fixes = ["identity": "create an ed25519 key with `ssh-keygen -t ed25519 -f PATH` and install PATH.pub on the worker",
                     "known_hosts": "create it with `ssh-keyscan -p PORT -t ed25519 HOST > PATH` after checking the key's fingerprint on the worker"]
        for (key, url) in [("identity", identity), ("known_hosts", knownHosts)] {
            guard let url, !FileManager.default.isReadableFile(atPath: url.path) else { continue }
            throw ConfigError(.invalidValue, at: keyLocations[key] ?? location,
                              "`\(key)` in [worker.\(name)] names \(url.path), which does not exist or is not readable", fix: fixes[key] ?? "")
        }
    }

    private static func chroots(_ table: TOMLTable, name: String, arches: [Arch]) throws(ConfigError) -> [Arch: String] {
        let reader = TableReader(table: table, name: "[worker.\(name).chroot]")
        try reader.rejectUnknownKeys(allowed: arches.map(\.rawValue), what: "arch")
        var result: [Arch: String] = [:]
        for arch in arches {
            guard let path = try reader.string(arch.rawValue) else { continue }
            guard path.value.hasPrefix("/") else {
                throw reader.invalid(arch.rawValue, at: path.location, "must be an absolute path on the worker",
                                     fix: "write the chroot's full path, e.g. \(arch.rawValue) = \"/srv/chroot/\(arch.rawValue)\"")
            }
            result[arch] = path.value
        }
        return result
    }

    private static func arches(_ list: Located<[Located<String>]>, reader: TableReader) throws(ConfigError) -> [Arch] {
        let known = Arch.allCases.map(\.rawValue)
        guard !list.value.isEmpty else {
            throw reader.invalid("arches", at: list.location, "is empty", fix: "list at least one of: \(known.joined(separator: ", "))")
        }
        var result: [Arch] = []
        for item in list.value {
            guard let arch = Arch(rawValue: item.value) else {
                let hint = didYouMean(item.value, among: known).map { "did you mean `\($0)`? " } ?? ""
                throw reader.invalid("arches", at: item.location, "has unknown arch `\(item.value)`",
                                     fix: "\(hint)known arches: \(known.joined(separator: ", "))")
            }
            guard !result.contains(arch) else {
                throw reader.invalid("arches", at: item.location, "lists `\(arch)` twice", fix: "remove the second `\(arch)`")
            }
            result.append(arch)
        }
        return result
    }

    private static func emerge(_ configured: String?, directory: URL) -> EmergeCommand {
        if let configured {
            return .configured(configured.contains("/") ? resolvePath(configured, against: directory).path : configured)
        }
        let venv = directory.appendingPathComponent(".venv/bin/emerge")
        return FileManager.default.fileExists(atPath: venv.path) ? .venv(venv) : .onPath
    }
}

extension FarmSettings {
    /// The coordinator as a worker: the first `host = "localhost"` worker, whose workdir holds the staging roots
    /// every plan is made against; without one, a worker that runs no builds, working in `<state>/work/coordinator`
    /// with `[farm] emerge`, else the venv beside workers.conf, else emerge on PATH.
    public var coordinator: WorkerSpec {
        if let local = workers.first(where: \.isLocal) { return local }
        let venv = directory.appendingPathComponent(".venv/bin/emerge")
        return WorkerSpec(name: "coordinator", host: "localhost", jobs: 1, arches: Arch.allCases,
                          workdir: state.appendingPathComponent("work/coordinator"), speed: 1,
                          emerge: emerge.map { .configured($0) } ?? (FileManager.default.fileExists(atPath: venv.path) ? .venv(venv) : .onPath),
                          location: SourceLocation(path: configFile.path))
    }
}
