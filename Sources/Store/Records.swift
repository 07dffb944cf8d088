import Foundation
import GRDB

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
public struct BuildRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "build"
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

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One root generation of a class: `<roots>/<CLASS>/<number>`.
public struct GenerationRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "generation"
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

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A binpkg a generation holds, and the build that made it.
public struct GenerationPackageRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "generationPackage"
    public var generationId: Int64
    public var cpv: String
    public var buildId: Int64
    public var sha256: String
}

/// A binpkg as `query root` shows it: package, build and where it was built.
public struct RootPackage: Codable, Sendable, Hashable, FetchableRecord {
    public var cpv: String
    public var buildId: Int64
    public var sha256: String
    public var worker: String
    public var cflags: String?
    public var use: String?
}

/// Where a package is: one class generation and the version it holds.
public struct PackageLocation: Codable, Sendable, Hashable, FetchableRecord {
    public var `class`: String
    public var generation: Int
    public var status: GenerationStatus
    public var cpv: String
    public var buildId: Int64
}

/// A binpkg moved out of its PKGDIR: damaged, or built with flags its class does not use.
public struct QuarantineRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "quarantine"
    public var id: Int64?
    public var `class`: String
    public var cpv: String
    /// `damaged` or `incompatible`.
    public var kind: String
    public var reason: String
    public var originalPath: String
    public var quarantinePath: String
    public var sha256: String?
    public var quarantined: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One `farmctl build` or `farmctl nightly` run.
public struct RunRecord: Codable, Sendable, Hashable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "run"
    public var id: Int64?
    /// `build` or `nightly`.
    public var command: String
    /// The classes it was asked for, space-separated.
    public var classes: String
    public var started: Date
    public var finished: Date?
    /// running, succeeded, failed or interrupted (its process died).
    public var status: RunState
    public var pid: Int
    public var host: String
    /// JSON list of the repository states the run was pinned to.
    public var inputs: String?
    /// JSON summary written when the run ends.
    public var summary: String?
    public var failure: String?

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
