import Foundation
import FarmModel
import GRDB

/// Root generations: reserved, published with their binpkgs, failed, pruned; and what they hold.
extension FarmStore {
    /// Records the pre-publish ISA audit of a generation (`pass`, `warn: …`, `fail: …`).
    public func recordISAAudit(_ id: Int64, _ result: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE generation SET isaAudit = ? WHERE id = ?", arguments: [result, id])
        }
    }

    /// Reserves the next generation number of a class and records it as assembling.
    public func beginGeneration(class nodeClass: ClassName, overlayDigest: String, kernel: (release: String, key: String)? = nil,
                                stageDigest: String? = nil, run: Int64? = nil, path: (Int) -> String, at date: Date = Date()) throws -> GenerationRecord {
        try writer.write { db in
            let last = try Int.fetchOne(db, sql: "SELECT max(number) FROM generation WHERE class = ?",
                                        arguments: [nodeClass.rawValue]) ?? 0
            var record = GenerationRecord(class: nodeClass.rawValue, number: last + 1, created: date,
                                          status: .assembling, path: path(last + 1), overlayDigest: overlayDigest,
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
            record.status = .published
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
            try GenerationRecord.filter(Column("class") == nodeClass.rawValue && Column("status") == GenerationStatus.published.rawValue)
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
}
