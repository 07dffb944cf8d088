import Foundation

// The provenance store's rows as plain values: the store persists them (Store adds the database conformances),
// Farm answers queries with them and the CLI renders them, without either depending on the database.

/// Where a build stands (the `build.status` column).
public enum BuildStatus: String, Codable, Sendable, Hashable, CustomStringConvertible {
    case running, succeeded, failed, interrupted
    public var description: String { rawValue }
}

/// Where a root generation stands (the `generation.status` column).
public enum GenerationStatus: String, Codable, Sendable, Hashable, CustomStringConvertible {
    case assembling, published, failed
    public var description: String { rawValue }
}

/// How a `build` or `nightly` run stands (the `run.status` column); interrupted: its process died.
public enum RunState: String, Codable, Sendable, Hashable, CustomStringConvertible {
    case running, succeeded, failed, interrupted
    public var description: String { rawValue }
}

/// One package build on one worker: the provenance of a binpkg.
public struct BuildRecord: Codable, Sendable, Hashable {
    public var id: Int64?
    public var `class`: String
    public var cpv: String
    public var worker: String
    public var started: Date
    public var finished: Date?
    public var status: BuildStatus
    public var exitStatus: Int?
    public var signal: Int?
    public var logPath: String
    public var binpkgPath: String?
    public var binpkgSize: Int64?
    public var binpkgSHA256: String?
    public var portageBuildID: Int?
    public var chost: String?
    public var cflags: String?
    public var use: String?
    public var failure: String?
    /// `built` by farmctl, or `imported` from an existing PKGDIR.
    public var origin: String = "built"
    /// The binpkg's compatibility key digest (`ck1-…`), when known.
    public var compatKey: String?
    /// The run that started the build (nil: before runs were recorded, or imported).
    public var runId: Int64?
    /// When `farmctl gc` deleted the binpkg file.
    public var binpkgRemoved: Date?

    /// A build that has just started (or, for imports, an existing binpkg's record).
    public init(class nodeClass: String, cpv: String, worker: String, started: Date, status: BuildStatus, logPath: String,
                runId: Int64? = nil) {
        self.class = nodeClass
        self.cpv = cpv
        self.worker = worker
        self.started = started
        self.status = status
        self.logPath = logPath
        self.runId = runId
    }
}

/// One root generation of a class: `<roots>/<CLASS>/<number>`.
public struct GenerationRecord: Codable, Sendable, Hashable {
    public var id: Int64?
    public var `class`: String
    public var number: Int
    public var created: Date
    public var status: GenerationStatus
    public var path: String
    public var overlayDigest: String
    public var failure: String?
    /// When its directory was deleted by pruning (nil: not pruned).
    public var pruned: Date?
    /// The release of the kernel installed into the root; nil when the class has no `[kernel]`.
    public var kernelRelease: String?
    /// The kernel's and modules' cache keys, `<kernel key> <modules key>`; nil without a kernel.
    public var kernelKey: String?
    /// The run that assembled it.
    public var runId: Int64?
    /// `sha256:<hex>` of the seed stage the root started from; nil when the class has no `[base] stage`.
    public var stageDigest: String?
    /// The pre-publish ISA audit: `pass`, `warn: …` (published with violations) or `fail: …`; nil: not audited.
    public var isaAudit: String?

    /// A generation being assembled.
    public init(class nodeClass: String, number: Int, created: Date, status: GenerationStatus, path: String,
                overlayDigest: String, kernelRelease: String? = nil, kernelKey: String? = nil, runId: Int64? = nil,
                stageDigest: String? = nil) {
        self.class = nodeClass
        self.number = number
        self.created = created
        self.status = status
        self.path = path
        self.overlayDigest = overlayDigest
        self.kernelRelease = kernelRelease
        self.kernelKey = kernelKey
        self.runId = runId
        self.stageDigest = stageDigest
    }
}

/// A binpkg as `query root` shows it: package, build and where it was built.
public struct RootPackage: Codable, Sendable, Hashable {
    public var cpv: String
    public var buildId: Int64
    public var sha256: String
    public var worker: String
    public var cflags: String?
    public var use: String?
}

/// Where a package is: one class generation and the version it holds.
public struct PackageLocation: Codable, Sendable, Hashable {
    public var `class`: String
    public var generation: Int
    public var status: GenerationStatus
    public var cpv: String
    public var buildId: Int64
}

/// One `farmctl build` or `farmctl nightly` run as stored; Farm decodes its JSON columns for readers.
public struct RunRecord: Codable, Sendable, Hashable {
    public var id: Int64?
    /// `build` or `nightly`.
    public var command: String
    /// The classes it was asked for, space-separated.
    public var classes: String
    public var started: Date
    public var finished: Date?
    public var status: RunState
    public var pid: Int
    public var host: String
    /// JSON list of the repository states the run was pinned to.
    public var inputs: String?
    /// JSON summary written when the run ends.
    public var summary: String?
    public var failure: String?

    /// A run that has just started.
    public init(command: String, classes: String, started: Date, status: RunState, pid: Int, host: String) {
        self.command = command
        self.classes = classes
        self.started = started
        self.status = status
        self.pid = pid
        self.host = host
    }
}

/// A cluster node: its MAC, the class it boots and the /proc/cpuinfo it was classified from.
public struct NodeRecord: Codable, Sendable, Hashable {
    public var name: String
    public var mac: String
    public var `class`: String
    public var march: String?
    public var modelName: String?
    public var cpuinfo: String
    public var cpuinfoSHA256: String
    public var added: Date
    public var classified: Date

    /// A node as classified at `classified`.
    public init(name: String, mac: String, class nodeClass: String, march: String?, modelName: String?, cpuinfo: String,
                cpuinfoSHA256: String, added: Date, classified: Date) {
        self.name = name
        self.mac = mac
        self.class = nodeClass
        self.march = march
        self.modelName = modelName
        self.cpuinfo = cpuinfo
        self.cpuinfoSHA256 = cpuinfoSHA256
        self.added = added
        self.classified = classified
    }
}

/// What recording a node changed.
public enum NodeChange: Sendable, Equatable {
    case added
    case unchanged
    case reclassified(from: String)
    case updated
}
