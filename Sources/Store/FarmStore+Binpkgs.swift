import FarmModel
import Foundation
import GRDB

extension FarmStore {
    /// Records a binpkg adopted from an existing PKGDIR as a finished, imported build; nil when this class
    /// already has a build with that binpkg digest (importing twice changes nothing).
    public func recordImportedBinpkg(class nodeClass: ClassName, cpv: CPV, binpkg: BuiltBinpkg, builtAt: Date,
                                     source: String) throws -> Int64? {
        try writer.write { db in
            let known = try BuildRecord.filter(Column("class") == nodeClass.rawValue && Column("binpkgSHA256") == binpkg.sha256
                                               && Column("status") == BuildStatus.succeeded.rawValue).fetchCount(db)
            guard known == 0 else { return nil }
            var record = BuildRecord(class: nodeClass.rawValue, cpv: cpv.description, worker: "import", started: builtAt,
                                     status: .succeeded, logPath: source)
            record.finished = builtAt
            record.origin = "imported"
            record.describe(binpkg)
            try record.insert(db)
            return record.id
        }
    }

    /// Records a binpkg moved out of its class's PKGDIR, so the next build of that class rebuilds it.
    @discardableResult
    public func recordQuarantine(class nodeClass: ClassName, cpv: CPV, kind: QuarantineKind, reason: String,
                                 originalPath: String, quarantinePath: String, sha256: String?,
                                 at date: Date = Date()) throws -> Int64 {
        try writer.write { db in
            var record = QuarantineRecord(class: nodeClass.rawValue, cpv: cpv.description, kind: kind.rawValue, reason: reason,
                                          originalPath: originalPath, quarantinePath: quarantinePath, sha256: sha256,
                                          quarantined: date)
            try record.insert(db)
            return record.id!
        }
    }

    /// Quarantined binpkgs of a class not yet rebuilt: no successful build of that CPV started after it.
    public func pendingRebuilds(class nodeClass: ClassName) throws -> [QuarantineRecord] {
        try writer.read { db in
            try QuarantineRecord.fetchAll(db, sql: """
                SELECT * FROM quarantine q WHERE q.class = ? AND NOT EXISTS (
                    SELECT 1 FROM build b WHERE b.class = q.class AND b.cpv = q.cpv AND b.status = 'succeeded'
                    AND b.origin = 'built' AND b.started >= q.quarantined)
                ORDER BY q.id
                """, arguments: [nodeClass.rawValue])
        }
    }

    /// Every quarantined binpkg, newest first, optionally for one class.
    public func quarantined(class nodeClass: ClassName? = nil) throws -> [QuarantineRecord] {
        try writer.read { db in
            var request = QuarantineRecord.order(Column("id").desc)
            if let nodeClass { request = request.filter(Column("class") == nodeClass.rawValue) }
            return try request.fetchAll(db)
        }
    }
}

/// Why a binpkg was quarantined.
public enum QuarantineKind: String, Sendable, Hashable {
    /// It fails its index entry or its own Manifest, or cannot be read.
    case damaged
    /// It was built with flags its class does not use.
    case incompatible
}
