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
                                     status: "running", logPath: logPath, runId: run)
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
            record.status = "succeeded"
            record.exitStatus = 0
            record.binpkgPath = binpkg.path
            record.binpkgSize = binpkg.size
            record.binpkgSHA256 = binpkg.sha256
            record.portageBuildID = binpkg.portageBuildID
            record.chost = binpkg.chost
            record.cflags = binpkg.cflags
            record.use = binpkg.use
            record.compatKey = binpkg.compatKey
            try record.update(db)
        }
    }

    /// Records a build that failed, with its exit status or signal and a one-line reason.
    public func recordBuildFailed(_ id: Int64, exitStatus: Int?, signal: Int?, reason: String, at date: Date = Date()) throws {
        try writer.write { db in
            guard var record = try BuildRecord.fetchOne(db, key: id) else { throw StoreError.noBuild(id) }
            record.finished = date
            record.status = "failed"
            record.exitStatus = exitStatus
            record.signal = signal
            record.failure = reason
            try record.update(db)
        }
    }

    /// The newest successful build whose binpkg has this SHA-256.
    public func build(withBinpkgSHA256 sha256: String) throws -> BuildRecord? {
        try writer.read { db in
            try BuildRecord.filter(Column("binpkgSHA256") == sha256 && Column("status") == "succeeded")
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
        let rows = try writer.read { db in
            try Row.fetchAll(db, sql: """
                SELECT cpv, (julianday(finished) - julianday(started)) * 86400.0 AS seconds FROM build
                WHERE status = 'succeeded' AND cpv LIKE ? ESCAPE '\\'
                """, arguments: [Self.likePattern(cp) + "-%"])
        }
        // LIKE also matches longer names (foo-bar-1 for foo): keep the rows whose parsed cp is exact.
        let seconds = rows.filter { CPV($0["cpv"] as String)?.cp == cp }.map { $0["seconds"] as Double }
        return seconds.isEmpty ? nil : seconds.reduce(0, +) / Double(seconds.count)
    }

    // MARK: generations

    /// Reserves the next generation number of a class and records it as assembling.
    public func beginGeneration(class nodeClass: ClassName, overlayDigest: String, kernel: (release: String, key: String)? = nil,
                                stageDigest: String? = nil, run: Int64? = nil, path: (Int) -> String, at date: Date = Date()) throws -> GenerationRecord {
        try writer.write { db in
            let last = try Int.fetchOne(db, sql: "SELECT max(number) FROM generation WHERE class = ?",
                                        arguments: [nodeClass.rawValue]) ?? 0
            var record = GenerationRecord(class: nodeClass.rawValue, number: last + 1, created: date,
                                          status: "assembling", path: path(last + 1), overlayDigest: overlayDigest,
                                          kernelRelease: kernel?.release, kernelKey: kernel?.key, runId: run,
                                          stageDigest: stageDigest)
            try record.insert(db)
            return record
        }
    }

    /// A binpkg installed into a generation.
    public struct InstalledBinpkg: Sendable, Hashable {
        public var cpv: String
        public var buildId: Int64
        public var sha256: String
        public init(cpv: String, buildId: Int64, sha256: String) {
            self.cpv = cpv
            self.buildId = buildId
            self.sha256 = sha256
        }
    }

    /// Marks a generation published with exactly the binpkgs it holds.
    public func publishGeneration(_ id: Int64, packages: [InstalledBinpkg]) throws {
        try writer.write { db in
            guard var record = try GenerationRecord.fetchOne(db, key: id) else { throw StoreError.noGeneration(id) }
            for package in packages {
                try GenerationPackageRecord(generationId: id, cpv: package.cpv, buildId: package.buildId,
                                            sha256: package.sha256).insert(db)
            }
            record.status = "published"
            try record.update(db)
        }
    }

    /// Marks a generation failed; its directory is not `current`.
    public func failGeneration(_ id: Int64, reason: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE generation SET status = 'failed', failure = ? WHERE id = ?", arguments: [reason, id])
        }
    }

    /// Records that a generation's directory was deleted (it is kept beyond `keep_generations`).
    public func recordGenerationPruned(_ id: Int64, at date: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE generation SET pruned = ? WHERE id = ?", arguments: [date, id])
        }
    }

    /// The newest published generation of a class.
    public func latestPublishedGeneration(class nodeClass: ClassName) throws -> GenerationRecord? {
        try writer.read { db in
            try GenerationRecord.filter(Column("class") == nodeClass.rawValue && Column("status") == "published")
                .order(Column("number").desc).fetchOne(db)
        }
    }

    /// One generation of a class by number.
    public func generation(class nodeClass: ClassName, number: Int) throws -> GenerationRecord? {
        try writer.read { db in
            try GenerationRecord.filter(Column("class") == nodeClass.rawValue && Column("number") == number).fetchOne(db)
        }
    }

    /// All generations, newest first.
    public func generations(class nodeClass: ClassName? = nil) throws -> [GenerationRecord] {
        try writer.read { db in
            var request = GenerationRecord.order(Column("class"), Column("number").desc)
            if let nodeClass { request = request.filter(Column("class") == nodeClass.rawValue) }
            return try request.fetchAll(db)
        }
    }

    /// The binpkgs a generation holds, with the build that made each.
    public func packages(inGeneration id: Int64) throws -> [RootPackage] {
        try writer.read { db in
            try RootPackage.fetchAll(db, sql: """
                SELECT gp.cpv, gp.buildId, gp.sha256, b.worker, b.cflags, b.use
                FROM generationPackage gp JOIN build b ON b.id = gp.buildId
                WHERE gp.generationId = ? ORDER BY gp.cpv
                """, arguments: [id])
        }
    }

    /// Which published generations hold a version of `category/package`.
    public func locations(cp: String) throws -> [PackageLocation] {
        try writer.read { db in
            try PackageLocation.fetchAll(db, sql: """
                SELECT g.class, g.number AS generation, g.status, gp.cpv, gp.buildId
                FROM generationPackage gp JOIN generation g ON g.id = gp.generationId
                WHERE g.status = 'published' AND gp.cpv LIKE ? ESCAPE '\\'
                ORDER BY g.class, g.number DESC
                """, arguments: [Self.likePattern(cp) + "-%"])
        }.filter { CPV($0.cpv)?.cp == cp }
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
