import FarmModel
import Foundation
import Store

/// What `farmctl status` reports: the run holding the lock now (with its progress), else the last run.
public struct FarmStatus: Sendable {
    /// The holder of the farm lock, when a run is active.
    public var active: LockHolder?
    /// The active run's progress (`<state>/status.json`).
    public var progress: RunStatus?
    /// The newest run in the store (the active one, or the last that ended).
    public var last: RunRecord?
}

extension Farm {
    /// The running run's progress, or the last run.
    public func status() throws -> FarmStatus {
        let active = FarmLock.holder(directory: settings.state.path)
        var progress: RunStatus?
        if active != nil, let data = FileManager.default.contents(atPath: statusFile) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            progress = try? decoder.decode(RunStatus.self, from: data)
            if progress?.pid != active?.pid { progress = nil }  // a file from an earlier run
        }
        let last = FileManager.default.fileExists(atPath: settings.database.path) ? try openStore().runs(limit: 1).first : nil
        return FarmStatus(active: active, progress: progress, last: last)
    }

    /// Runs, newest first.
    public func runs(limit: Int?) throws -> [RunRecord] {
        try existingStore().runs(limit: limit)
    }

    /// The build `farmctl logs` names: a build id, or `CLASS/category/package[-version]` (its newest build).
    public func build(named spec: String) throws -> BuildRecord {
        let store = try existingStore()
        if let id = Int64(spec) {
            guard let build = try store.build(id) else {
                throw FarmError(problem: "no build with id \(id)", fix: "list builds with `farmctl query builds`")
            }
            return build
        }
        let parts = spec.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let nodeClass = ClassName(parts[0]), parts[1].contains("/") else {
            throw FarmError(problem: "`\(spec)` names no build",
                            fix: "give a build id (`farmctl query builds`) or CLASS/category/package[-version], e.g. PIII/app-misc/fhsum")
        }
        guard let build = try store.latestBuild(class: nodeClass, package: parts[1]) else {
            throw FarmError(problem: "class \(nodeClass) has no build of \(parts[1])",
                            fix: "see `farmctl query builds --class \(nodeClass)`")
        }
        return build
    }
}
