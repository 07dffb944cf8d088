import FarmModel
import Foundation
import GRDB

// The database conformances of FarmModel's provenance values, and the rows only the store itself reads.

extension BuildRecord: FetchableRecord, MutablePersistableRecord {
    public static var databaseTableName: String { "build" }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension BuildRecord {
    /// Fills in the binpkg a build produced (or an import found).
    mutating func describe(_ binpkg: FarmStore.BuiltBinpkg) {
        binpkgPath = binpkg.path
        binpkgSize = binpkg.size
        binpkgSHA256 = binpkg.sha256
        portageBuildID = binpkg.portageBuildID
        chost = binpkg.chost
        cflags = binpkg.cflags
        use = binpkg.use
        compatKey = binpkg.compatKey
    }
}

extension GenerationRecord: FetchableRecord, MutablePersistableRecord {
    public static var databaseTableName: String { "generation" }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension RunRecord: FetchableRecord, MutablePersistableRecord {
    public static var databaseTableName: String { "run" }
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension NodeRecord: FetchableRecord, PersistableRecord {
    public static var databaseTableName: String { "node" }
}

extension RootPackage: FetchableRecord {}
extension PackageLocation: FetchableRecord {}

/// A binpkg a generation holds, and the build that made it.
public struct GenerationPackageRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "generationPackage"
    public var generationId: Int64
    public var cpv: String
    public var buildId: Int64
    public var sha256: String
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
