import FarmModel
import Foundation
import Store
import Workers

extension Farm {
    /// `<state>/status.json`: the running run's progress (`farmctl status`).
    var statusFile: String { settings.state.appendingPathComponent("status.json").path }

    /// Runs `[farm] sync` with /bin/sh in workers.conf's directory; its output goes to `<logs>/sync-<run>.log`.
    func runSync(_ command: String, run: Int64) async throws -> SyncResult {
        let log = settings.logs.appendingPathComponent("sync-\(run).log").path
        try FileManager.default.createDirectory(atPath: settings.logs.path, withIntermediateDirectories: true)
        let started = Date()
        var shell = Command("/bin/sh", ["-c", command])
        shell.workingDirectory = settings.directory.path
        let result = try await LocalTransport().run(shell, logPath: log, onLine: { _ in })
        return SyncResult(command: command, succeeded: result.termination.succeeded,
                          seconds: Date().timeIntervalSince(started), log: log)
    }

    /// Packages of the class's root after the run that were not built in it.
    func reusedCount(_ outcome: ClassOutcome, nodeClass: ClassName, built: Int, store: FarmStore) throws -> Int {
        let number: Int
        switch outcome {
        case .published(let n), .unchanged(let n): number = n
        case .failed: return 0
        }
        guard let id = try store.generation(class: nodeClass, number: number)?.id else { return 0 }
        return max(try store.packages(inGeneration: id).count - built, 0)
    }

    /// Per worker: the builds of this run and the seconds they took.
    func workerResults(run: Int64, store: FarmStore) throws -> [BuildSummary.WorkerResult] {
        let builds = try store.builds(inRun: run)
        return Dictionary(grouping: builds, by: \.worker).map { worker, builds in
            BuildSummary.WorkerResult(
                name: worker, builds: builds.count, failed: builds.filter { $0.status != "succeeded" }.count,
                busySeconds: builds.map { ($0.finished ?? Date()).timeIntervalSince($0.started) }.reduce(0, +))
        }.sorted { $0.name < $1.name }
    }

    /// The JSON the store keeps for a run's inputs and summary.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

extension Array where Element: Sendable {
    /// `map` with an async transform, in order, one at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
