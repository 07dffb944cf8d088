import FarmModel
import Foundation
import GRDB

extension FarmStore {
    /// Records that a run started (it holds the farm lock); returns its id.
    public func beginRun(command: String, classes: [String], pid: Int, host: String, at date: Date = Date()) throws -> Int64 {
        try writer.write { db in
            var record = RunRecord(command: command, classes: classes.joined(separator: " "), started: date, status: .running,
                                   pid: pid, host: host)
            try record.insert(db)
            return record.id!
        }
    }

    /// Records the repository states a run is pinned to (JSON).
    public func recordRunInputs(_ id: Int64, inputs: String) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE run SET inputs = ? WHERE id = ?", arguments: [inputs, id])
        }
    }

    /// Records how a run ended: `succeeded` or `failed`, with its summary (JSON) and, when it stopped early, why.
    public func finishRun(_ id: Int64, succeeded: Bool, summary: String?, failure: String? = nil, at date: Date = Date()) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE run SET status = ?, finished = ?, summary = ?, failure = ? WHERE id = ?",
                           arguments: [(succeeded ? RunState.succeeded : .failed).rawValue, date, summary, failure, id])
        }
    }

    /// What a dead run left behind, now cleaned up in the store.
    public struct Interrupted: Sendable {
        /// Runs left `running` (now `interrupted`).
        public var runs: [RunRecord]
        /// Builds left `running` (now `interrupted`).
        public var builds: [BuildRecord]
        /// Generations left `assembling` (now `failed`): their directories must go.
        public var generations: [GenerationRecord]
    }

    /// Marks everything a dead run left unfinished as interrupted, in one transaction. Called by the run that
    /// holds the farm lock, so nothing else can be running.
    public func recordInterrupted(at date: Date = Date()) throws -> Interrupted {
        try writer.write { db in
            let runs = try RunRecord.filter(Column("status") == RunState.running.rawValue).order(Column("id")).fetchAll(db)
            let builds = try BuildRecord.filter(Column("status") == BuildStatus.running.rawValue).order(Column("id")).fetchAll(db)
            let generations = try GenerationRecord.filter(Column("status") == GenerationStatus.assembling.rawValue).order(Column("id")).fetchAll(db)
            try db.execute(sql: "UPDATE run SET status = 'interrupted', finished = ? WHERE status = 'running'", arguments: [date])
            try db.execute(sql: "UPDATE build SET status = 'interrupted', finished = ? WHERE status = 'running'", arguments: [date])
            try db.execute(sql: """
                UPDATE generation SET status = 'failed', failure = 'interrupted: the run assembling it died'
                WHERE status = 'assembling'
                """)
            return Interrupted(runs: runs, builds: builds, generations: generations)
        }
    }

    /// Runs, newest first.
    public func runs(limit: Int? = nil) throws -> [RunRecord] {
        try writer.read { db in
            var request = RunRecord.order(Column("id").desc)
            if let limit { request = request.limit(limit) }
            return try request.fetchAll(db)
        }
    }

    /// One run by id.
    public func run(_ id: Int64) throws -> RunRecord? {
        try writer.read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// The builds a run started, oldest first.
    public func builds(inRun id: Int64) throws -> [BuildRecord] {
        try writer.read { db in
            try BuildRecord.filter(Column("runId") == id).order(Column("id")).fetchAll(db)
        }
    }

    /// One build by id.
    public func build(_ id: Int64) throws -> BuildRecord? {
        try writer.read { db in try BuildRecord.fetchOne(db, key: id) }
    }

    /// The newest build of a class's package: an exact `cat/pkg-ver` or, for `cat/pkg`, any version.
    public func latestBuild(class nodeClass: ClassName, package: String) throws -> BuildRecord? {
        try writer.read { db in
            if CPV(package) != nil, let exact = try BuildRecord.filter(Column("class") == nodeClass.rawValue && Column("cpv") == package)
                .order(Column("id").desc).fetchOne(db) {
                return exact
            }
            return try BuildRecord.filter(Column("class") == nodeClass.rawValue && Column("cpv").like(Self.likePattern(package) + "-%", escape: "\\"))
                .order(Column("id").desc).fetchAll(db).first { CPV($0.cpv)?.cp == package }
        }
    }

    /// The SHA-256 each binpkg path should have: that of the newest successful build that wrote it (and not removed).
    public func recordedDigests(paths: [String]) throws -> [String: String] {
        try writer.read { db in
            var result: [String: String] = [:]
            for path in paths {
                if let sha = try String.fetchOne(db, sql: """
                    SELECT binpkgSHA256 FROM build WHERE binpkgPath = ? AND status = 'succeeded' AND binpkgRemoved IS NULL
                    ORDER BY id DESC LIMIT 1
                    """, arguments: [path]) {
                    result[path] = sha
                }
            }
            return result
        }
    }

    /// Records that `gc` deleted these binpkg files.
    public func recordBinpkgsRemoved(paths: [String], at date: Date = Date()) throws {
        try writer.write { db in
            for path in paths {
                try db.execute(sql: "UPDATE build SET binpkgRemoved = ? WHERE binpkgPath = ? AND binpkgRemoved IS NULL",
                               arguments: [date, path])
            }
        }
    }
}
