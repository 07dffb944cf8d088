import FarmModel
import Foundation
import Store
import Workers

/// What a run records about itself: its status file, the summary's counts per class and worker, the stored JSON.
extension Farm {
    /// `<state>/status.json`: the running run's progress (`farmctl status`).
    var statusFile: String { settings.state.appendingPathComponent("status.json").path }

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
                name: worker, builds: builds.count, failed: builds.filter { $0.status != .succeeded }.count,
                busySeconds: builds.map { ($0.finished ?? Date()).timeIntervalSince($0.started) }.reduce(0, +))
        }.sorted { $0.name < $1.name }
    }

    /// The JSON the store keeps for a run's inputs and summary.
    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try Farm.jsonEncoder(pretty: false).encode(value), as: UTF8.self)
    }
}

extension Farm {
    /// farmctl's JSON: snake_case keys, ISO 8601 dates, sorted keys; pretty for people (`--json`, `/api/`).
    public static func jsonEncoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// Reads what `jsonEncoder` wrote.
    static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
