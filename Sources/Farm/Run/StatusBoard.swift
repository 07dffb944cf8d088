import FarmModel
import Foundation
import Synchronization

/// What `farmctl status` shows of a run: per class and worker, what runs, what waits and why.
public struct RunStatus: Sendable, Codable {
    public struct ClassProgress: Sendable, Codable {
        /// planning, building, assembling, published N, unchanged N, failed.
        public var phase: String = "waiting to plan"
        public var planned: Int = 0
        public var built: Int = 0
        public var failed: Int = 0
        public var skipped: Int = 0
        public var kernel: String?
        public var reason: String?
    }

    public struct Running: Sendable, Codable, Hashable {
        public var job: String
        public var worker: String
        public var since: Date
    }

    public struct Waiting: Sendable, Codable, Hashable {
        public var job: String
        public var reason: String
    }

    public var run: Int64
    public var command: String
    public var pid: Int
    public var started: Date
    public var updated: Date
    /// running, succeeded, failed.
    public var state: String = "running"
    public var classes: [String: ClassProgress] = [:]
    public var running: [Running] = []
    public var waiting: [Waiting] = []
    public var messages: [String] = []
}

/// Keeps the running run's `RunStatus` from its events and writes it to `<state>/status.json` (atomically, at
/// most twice a second, and when the run ends).
final class StatusBoard: Sendable {
    private struct State {
        var status: RunStatus
        var dependencies: [String: [String]] = [:]
        var done: Set<String> = []
        var lastWrite = Date.distantPast
    }

    private let path: String
    private let state: Mutex<State>

    init(path: String, run: Int64, command: String, started: Date) {
        self.path = path
        state = Mutex(State(status: RunStatus(run: run, command: command, pid: Int(getpid()), started: started, updated: started)))
        write(force: true)
    }

    func handle(_ event: FarmEvent) {
        let important = state.withLock { state in Self.apply(event, to: &state) }
        write(force: important)
    }

    func finish(_ summary: BuildSummary) {
        state.withLock { state in
            state.status.state = summary.succeeded ? "succeeded" : "failed"
            state.status.waiting = []
            state.status.running = []
        }
        write(force: true)
    }

    func finish(failure: String) {
        state.withLock { state in
            state.status.state = "failed"
            state.status.messages.append("error: \(failure)")
        }
        write(force: true)
    }

    /// Applies an event; true when it changes a phase (written at once).
    private static func apply(_ event: FarmEvent, to state: inout State) -> Bool {
        func job(_ c: ClassName, _ cpv: CPV) -> String { "\(c)/\(cpv)" }
        switch event {
        case .planning(let c): state.status.classes[c.rawValue, default: .init()].phase = "planning"
        case .planned(let c, let cpvs, _):
            state.status.classes[c.rawValue, default: .init()].planned = cpvs.count
            state.status.classes[c.rawValue]?.phase = cpvs.isEmpty ? "nothing to build" : "building"
        case .scheduled(let dependencies):
            state.dependencies = dependencies
            refreshWaiting(&state)
        case .buildStarted(let c, let cpv, let worker):
            state.status.running.append(.init(job: job(c, cpv), worker: worker, since: Date()))
            refreshWaiting(&state)
            return false
        case .buildFinished(let c, let cpv, _, let ok, _, _):
            state.status.running.removeAll { $0.job == job(c, cpv) }
            state.done.insert(job(c, cpv))
            if ok { state.status.classes[c.rawValue, default: .init()].built += 1 } else { state.status.classes[c.rawValue, default: .init()].failed += 1 }
            refreshWaiting(&state)
        case .buildSkipped(let c, let cpv, _):
            state.done.insert(job(c, cpv))
            state.status.classes[c.rawValue, default: .init()].skipped += 1
            refreshWaiting(&state)
        case .kernelBuilding(let c, let key, _, _): state.status.classes[c.rawValue, default: .init()].kernel = "building \(key)"
        case .kernelBuilt(let c, let release, _, _, let cached):
            state.status.classes[c.rawValue, default: .init()].kernel = "\(release)\(cached ? " (cached)" : " built")"
        case .assembling(let c, let number, _): state.status.classes[c.rawValue, default: .init()].phase = "assembling generation \(number)"
        case .published(let c, let number, _, _, _, _): state.status.classes[c.rawValue, default: .init()].phase = "published generation \(number)"
        case .unchanged(let c, let number): state.status.classes[c.rawValue, default: .init()].phase = "unchanged (generation \(number))"
        case .notPlanned(let c, let number, let run):
            state.status.classes[c.rawValue, default: .init()].phase = "unchanged (generation \(number); inputs as in run \(run): not planned)"
        case .classFailed(let c, let reason):
            state.status.classes[c.rawValue, default: .init()].phase = "failed"
            state.status.classes[c.rawValue]?.reason = reason
        case .warning(let text): state.status.messages.append("warning: \(text)")
        case .waitingForLock, .recovered, .pinned, .synced, .collected, .pruned, .networkBoot, .distfilesReady,
             .buildOutput, .kernelProgress, .moduleBuilt, .buildRootMade:
            return false
        }
        return true
    }

    /// Every job not started: what it waits for (unfinished dependencies), or a free slot.
    private static func refreshWaiting(_ state: inout State) {
        let running = Set(state.status.running.map(\.job))
        state.status.waiting = state.dependencies.keys.sorted().compactMap { job in
            guard !state.done.contains(job), !running.contains(job) else { return nil }
            let open = (state.dependencies[job] ?? []).filter { !state.done.contains($0) }.sorted()
            let reason = open.isEmpty ? "ready: waits for a free build slot (or a retry backoff)"
                : "waits for " + open.prefix(3).joined(separator: ", ") + (open.count > 3 ? " and \(open.count - 3) more" : "")
            return .init(job: job, reason: reason)
        }
    }

    private func write(force: Bool) {
        let data: Data? = state.withLock { state in
            let now = Date()
            guard force || now.timeIntervalSince(state.lastWrite) >= 0.5 else { return nil }
            state.lastWrite = now
            state.status.updated = now
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return try? encoder.encode(state.status)
        }
        guard let data else { return }
        let temporary = path + ".new-\(getpid())"
        if FileManager.default.createFile(atPath: temporary, contents: data) { rename(temporary, path) }
    }
}
