import Foundation
import FarmModel
import GRDB

/// The provenance store: every build, binpkg and root generation of the farm, in one SQLite database.
public struct FarmStore: Sendable {
    let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path` in WAL mode and migrates it.
    public init(path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            writer = try DatabasePool(path: path, configuration: configuration)
            try Migrations.migrator.migrate(writer)
        } catch {
            throw StoreError(problem: "cannot open the provenance database \(path): \(error)",
                             fix: "check that the directory is writable, or set `database` in workers.conf")
        }
    }

    /// An in-memory store, for tests.
    public init() throws {
        writer = try DatabaseQueue()
        try Migrations.migrator.migrate(writer)
    }

    // MARK: builds

    /// Records that a build started; returns its build id.
    public func recordBuildStarted(class nodeClass: ClassName, cpv: CPV, worker: String, logPath: String,
                                   run: Int64? = nil, at date: Date = Date()) throws -> Int64 {
        try writer.write { db in
            var record = BuildRecord(class: nodeClass.rawValue, cpv: cpv.description, worker: worker, started: date,
                                     status: .running, logPath: logPath, runId: run)
            try record.insert(db)
            return record.id!
        }
    }

    /// What a successful build produced.
    public struct BuiltBinpkg: Sendable {
        public var path: String
        public var size: Int64
        public var sha256: String
        public var portageBuildID: Int?
        public var chost: String
        public var cflags: String
        public var use: String
        /// The compatibility key digest (`ck1-…`).
        public var compatKey: String?
        public init(path: String, size: Int64, sha256: String, portageBuildID: Int?, chost: String, cflags: String, use: String,
                    compatKey: String? = nil) {
            self.compatKey = compatKey
            self.path = path
            self.size = size
            self.sha256 = sha256
            self.portageBuildID = portageBuildID
            self.chost = chost
            self.cflags = cflags
            self.use = use
        }
    }

    /// Records a build that produced `binpkg`.
    public func recordBuildSucceeded(_ id: Int64, binpkg: BuiltBinpkg, at date: Date = Date()) throws {
        try writer.write { db in
            guard var record = try BuildRecord.fetchOne(db, key: id) else { throw StoreError.noBuild(id) }
            record.finished = date
            record.status = .succeeded
            record.exitStatus = 0
            record.describe(binpkg)
            try record.update(db)
        }
    }

    /// Records a build that failed, with its exit status or signal and a one-line reason.
    public func recordBuildFailed(_ id: Int64, exitStatus: Int?, signal: Int?, reason: String, at date: Date = Date()) throws {
        try writer.write { db in
            guard var record = try BuildRecord.fetchOne(db, key: id) else { throw StoreError.noBuild(id) }
            record.finished = date
            record.status = .failed
            record.exitStatus = exitStatus
            record.signal = signal
            record.failure = reason
            try record.update(db)
        }
    }

    /// The newest successful build whose binpkg has this SHA-256.
    public func build(withBinpkgSHA256 sha256: String) throws -> BuildRecord? {
        try writer.read { db in
            try BuildRecord.filter(Column("binpkgSHA256") == sha256 && Column("status") == BuildStatus.succeeded.rawValue)
                .order(Column("id").desc).fetchOne(db)
        }
    }

    /// Build history, newest first, optionally for one class.
    public func builds(class nodeClass: ClassName? = nil, limit: Int? = nil) throws -> [BuildRecord] {
        try writer.read { db in
            var request = BuildRecord.order(Column("id").desc)
            if let nodeClass { request = request.filter(Column("class") == nodeClass.rawValue) }
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// Mean duration in seconds of past successful builds of `category/package` (any class), or nil.
    public func meanBuildSeconds(cp: String) throws -> Double? {
        try meanBuildSeconds()[cp]
    }

    /// Mean duration in seconds of past successful builds, per `category/package` (any class), in one query.
    public func meanBuildSeconds() throws -> [String: Double] {
        let rows = try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT cpv, (julianday(finished) - julianday(started)) * 86400.0 AS seconds FROM build
                WHERE status = 'succeeded'
                """)
        }
        var sums: [String: (total: Double, count: Int)] = [:]
        for row in rows {
            guard let cp = CPV(row["cpv"] as String)?.cp else { continue }
            sums[cp, default: (0, 0)].total += row["seconds"] as Double
            sums[cp, default: (0, 0)].count += 1
        }
        return sums.mapValues { $0.total / Double($0.count) }
    }

    /// Runs SQLite's integrity check; returns its findings ("ok" when sound).
    public func integrityCheck() throws -> [String] {
        try writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    static func likePattern(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

/// A store operation failed.
public typealias StoreError = Problem

extension Problem {
    static func noBuild(_ id: Int64) -> StoreError {
        StoreError(problem: "no build with id \(id) in the provenance database", fix: "list builds with `farmctl query builds`")
    }

    static func noGeneration(_ id: Int64) -> StoreError {
        StoreError(problem: "no generation with id \(id) in the provenance database", fix: "list roots with `farmctl query root CLASS`")
    }
}
