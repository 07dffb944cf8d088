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
    public var last: RunReport?
}

/// One run as readers see it: the stored row with its pinned inputs and its summary decoded.
public struct RunReport: Sendable, Codable {
    public var id: Int64
    /// `build` or `nightly`.
    public var command: String
    public var classes: [String]
    public var started: Date
    public var finished: Date?
    public var status: RunState
    public var pid: Int
    public var host: String
    /// The repository states the run was pinned to (empty until it pinned them).
    public var inputs: [RepositoryState]
    /// What the run did, written when it ended (nil while it runs, or when it died).
    public var summary: BuildSummary?
    public var failure: String?

    /// Decodes the JSON columns of `record` the way `Farm.json` wrote them.
    init(_ record: RunRecord) throws {
        let decoder = Farm.jsonDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ text: String?, _ column: String) throws -> T? {
            guard let text else { return nil }
            do { return try decoder.decode(type, from: Data(text.utf8)) } catch {
                throw FarmError(problem: "run \(record.id ?? 0) in the provenance store: its \(column) cannot be read (\(error))",
                                fix: "the row was written by another farmctl version or edited by hand; its builds are still listed by `farmctl query builds`")
            }
        }
        id = record.id ?? 0
        command = record.command
        classes = record.classes.split(separator: " ").map(String.init)
        started = record.started
        finished = record.finished
        status = record.status
        pid = record.pid
        host = record.host
        inputs = try decode([RepositoryState].self, record.inputs, "inputs") ?? []
        summary = try decode(BuildSummary.self, record.summary, "summary")
        failure = record.failure
    }
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
        let last = FileManager.default.fileExists(atPath: settings.database.path) ? try openStore().runs(limit: 1).first.map(RunReport.init) : nil
        return FarmStatus(active: active, progress: progress, last: last)
    }

    /// Runs, newest first.
    public func runs(limit: Int?) throws -> [RunReport] {
        try existingStore().runs(limit: limit).map(RunReport.init)
    }

    /// One run and the builds it ran (nil: no such run).
    public func run(id: Int64) throws -> (RunReport, [BuildRecord])? {
        let store = try existingStore()
        guard let record = try store.run(id) else { return nil }
        return (try RunReport(record), try store.builds(inRun: id))
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
