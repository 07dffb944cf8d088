import FarmModel
import GRDB

/// A class's memo of its last empty plan: the inputs' key, the generation that stayed current, the run that planned.
public struct NoOpMemoRecord: Sendable, Hashable {
    public var key: String
    public var generation: Int
    public var run: Int64
}

extension FarmStore {
    /// The class's memo, if a run remembered one.
    public func noOpMemo(class nodeClass: ClassName) throws -> NoOpMemoRecord? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "SELECT key, generation, runId FROM noOpMemo WHERE class = ?", arguments: [nodeClass.rawValue])
                .map { NoOpMemoRecord(key: $0["key"], generation: $0["generation"], run: $0["runId"]) }
        }
    }

    /// Remembers that `run` planned nothing for the class from inputs with `key`, and `generation` stayed current.
    public func rememberNoOp(class nodeClass: ClassName, key: String, generation: Int, run: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO noOpMemo (class, key, generation, runId) VALUES (?, ?, ?, ?)",
                           arguments: [nodeClass.rawValue, key, generation, run])
        }
    }

    /// Forgets the class's memo: its next run plans with emerge.
    public func forgetNoOp(class nodeClass: ClassName) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM noOpMemo WHERE class = ?", arguments: [nodeClass.rawValue]) }
    }
}
