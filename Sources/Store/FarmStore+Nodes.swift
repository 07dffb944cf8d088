import FarmModel
import Foundation
import GRDB

/// A build host's /proc/cpuinfo, as read through its transport.
public struct WorkerCPURecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "workerCPU"
    public var worker: String
    public var cpuinfo: String
    public var cpuinfoSHA256: String
    public var read: Date
}

extension FarmStore {
    /// Records `node` (by name), keeping its first `added` date; returns what changed.
    /// Throws when another node already has the MAC (the schema keeps MACs unique).
    public func recordNode(name: String, mac: String, class nodeClass: String, march: String?, modelName: String?,
                           cpuinfo: String, cpuinfoSHA256: String, at date: Date = Date()) throws -> NodeChange {
        try writer.write { db in
            if let other = try NodeRecord.filter(Column("mac") == mac && Column("name") != name).fetchOne(db) {
                throw StoreError(problem: "MAC \(mac) already belongs to node \(other.name)",
                                 fix: "remove or rename \(other.name) first, or check the MAC you typed")
            }
            let previous = try NodeRecord.fetchOne(db, key: name)
            let record = NodeRecord(name: name, mac: mac, class: nodeClass, march: march, modelName: modelName,
                                    cpuinfo: cpuinfo, cpuinfoSHA256: cpuinfoSHA256, added: previous?.added ?? date,
                                    classified: date)
            try record.save(db)
            guard let previous else { return .added }
            if previous.class != nodeClass { return .reclassified(from: previous.class) }
            return previous.cpuinfoSHA256 == cpuinfoSHA256 && previous.mac == mac ? .unchanged : .updated
        }
    }

    /// Every node, by name.
    public func nodes() throws -> [NodeRecord] {
        try writer.read { db in try NodeRecord.order(Column("name")).fetchAll(db) }
    }

    /// Caches a worker's /proc/cpuinfo.
    public func recordWorkerCPU(worker: String, cpuinfo: String, cpuinfoSHA256: String, at date: Date = Date()) throws {
        try writer.write { db in
            try WorkerCPURecord(worker: worker, cpuinfo: cpuinfo, cpuinfoSHA256: cpuinfoSHA256, read: date).save(db)
        }
    }

    /// The cached /proc/cpuinfo of `worker`, if read before.
    public func workerCPU(_ worker: String) throws -> WorkerCPURecord? {
        try writer.read { db in try WorkerCPURecord.fetchOne(db, key: worker) }
    }
}
