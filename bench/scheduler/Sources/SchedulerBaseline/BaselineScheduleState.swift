// Frozen copy of farmctl's Sources/Scheduler/ScheduleState.swift at a5822dc (before ready queues and earliest-finish
// placement), ScheduleState renamed BaselineScheduleState: the benchmark's "current" scheduler. Do not edit.
import Scheduler
import FarmModel

/// The schedule as a value-type state machine: which builds are waiting, running, done; where the next ones go.
///
/// Time is the caller's: seconds on any monotonic clock, passed as `now`. Methods that change the schedule
/// return the events the change causes, for the dispatcher to report.
public struct BaselineScheduleState: Sendable {
    /// Where a build stands.
    public enum Status: Sendable, Hashable {
        case waiting
        case running(worker: String)
        case succeeded
        case failed(reason: String)
        case skipped(because: JobID)
    }

    /// A decision to start `job` on `worker`.
    public struct Assignment: Sendable, Hashable {
        public var job: BuildJob
        public var worker: String
    }

    private(set) var jobs: [JobID: BuildJob]
    var status: [JobID: Status]
    var dependents: [JobID: [JobID]] = [:]
    private(set) var priority: [JobID: Double] = [:]
    var workers: [String: WorkerSlots]
    var busy: [String: Int] = [:]
    let policy: RetryPolicy
    /// Per job: workers it may not go to again (SIGILL there, or it failed there).
    var excluded: [JobID: Set<String>] = [:]
    /// Per job: workers that were lost while building it (avoided while another candidate exists).
    var lostOn: [JobID: Set<String>] = [:]
    /// Per job: why earlier attempts ended, for the final reason.
    var attempts: [JobID: [String]] = [:]
    /// A requeued job does not start before this time.
    var notBefore: [JobID: Double] = [:]
    /// Failures or losses in a row, per worker.
    var troubles: [String: Int] = [:]
    /// A parked worker gets no builds before this time.
    var parkedUntil: [String: Double] = [:]

    /// Builds a schedule; dependencies on jobs not in `jobs` are treated as already satisfied.
    public init(jobs: [BuildJob], workers: [WorkerSlots], policy: RetryPolicy = RetryPolicy()) {
        self.jobs = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        self.workers = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, $0) })
        self.policy = policy
        status = self.jobs.mapValues { _ in .waiting }
        for job in jobs {
            let known = job.dependencies.filter { self.jobs[$0] != nil }
            self.jobs[job.id]?.dependencies = known
            for dependency in known { dependents[dependency, default: []].append(job.id) }
        }
        priority = BaselineScheduleState.criticalPaths(self.jobs, dependents: dependents)
    }

    /// The status of every job.
    public var statuses: [JobID: Status] { status }

    /// True when no job is waiting or running.
    public var isFinished: Bool {
        status.values.allSatisfy { if case .waiting = $0 { false } else if case .running = $0 { false } else { true } }
    }

    /// Jobs that no worker can ever build: no worker has their arch, or none of their required runners has.
    public var unplaceable: [BuildJob] {
        jobs.values.filter { candidates(for: $0).isEmpty }.sorted { $0.id < $1.id }
    }

    /// The workers a job may go to: those building its arch and not excluded for it; its runners among them
    /// when there are any (or always, when it must run on runners); workers lost during it only when no other is left.
    func candidates(for job: BuildJob) -> [WorkerSlots] {
        let able = workers.values.filter { $0.arches.contains(job.arch) && !(excluded[job.id]?.contains($0.name) ?? false) }
        var chosen = able
        if let runners = job.runners {
            let running = able.filter { runners.contains($0.name) }
            chosen = running.isEmpty && !job.runnersOnly ? able : running
        }
        let notLost = chosen.filter { !(lostOn[job.id]?.contains($0.name) ?? false) }
        return notLost.isEmpty ? chosen : notLost
    }

    /// Picks the next builds to start: ready jobs by critical path, each on the best free worker.
    public mutating func nextAssignments(now: Double = 0) -> [Assignment] {
        let ready = status.compactMap { id, state -> BuildJob? in
            guard case .waiting = state, let job = jobs[id], (notBefore[id] ?? 0) <= now,
                  job.dependencies.allSatisfy({ status[$0] == .succeeded }) else { return nil }
            return job
        }.sorted { (priority[$0.id] ?? 0, $1.id) > (priority[$1.id] ?? 0, $0.id) }
        var assignments: [Assignment] = []
        for job in ready {
            guard let worker = bestWorker(for: job, now: now) else { continue }
            busy[worker, default: 0] += 1
            status[job.id] = .running(worker: worker)
            assignments.append(Assignment(job: job, worker: worker))
        }
        return assignments
    }

    /// The earliest future time at which a parked worker or a requeued job becomes available, if any.
    public func nextWakeup(after now: Double) -> Double? {
        let parks = parkedUntil.values.filter { $0 > now }
        let backoffs = notBefore.filter { status[$0.key] == .waiting && $0.value > now }.values
        return (parks + backoffs).min()
    }

    mutating func fail(_ id: JobID, reason: String) -> [ScheduleEvent] {
        status[id] = .failed(reason: reason)
        var events: [ScheduleEvent] = []
        var stack = dependents[id] ?? []
        while let next = stack.popLast() {
            guard case .waiting = status[next] else { continue }
            status[next] = .skipped(because: id)
            events.append(.skipped(next, because: id))
            stack.append(contentsOf: dependents[next] ?? [])
        }
        return events.sorted { "\($0)" < "\($1)" }
    }

    /// Marks jobs no worker can build as failed, so their dependents are skipped.
    @discardableResult
    public mutating func failUnplaceable() -> [ScheduleEvent] {
        var events: [ScheduleEvent] = []
        for job in unplaceable {
            let reason = job.runnersOnly && workers.values.contains { $0.arches.contains(job.arch) }
                ? "strict_build_hosts: no worker in workers.conf both builds arch \(job.arch) and has a CPU that runs \(job.id.nodeClass)'s code"
                : "no worker in workers.conf builds arch \(job.arch)"
            events.append(.finished(job.id, worker: "", outcome: .failed(reason: reason)))
            events += fail(job.id, reason: reason)
        }
        return events
    }

    /// The free, unparked worker with the best score (speed × free share of its slots) among the job's candidates.
    func bestWorker(for job: BuildJob, now: Double) -> String? {
        candidates(for: job)
            .filter { busy[$0.name, default: 0] < $0.jobs && (parkedUntil[$0.name] ?? 0) <= now }
            .max { score($0) == score($1) ? $0.name > $1.name : score($0) < score($1) }?
            .name
    }

    func score(_ worker: WorkerSlots) -> Double {
        let free = Double(worker.jobs - busy[worker.name, default: 0]) / Double(max(worker.jobs, 1))
        return worker.speed * free
    }

    /// The longest estimated path from each job to the end of the graph (the job's own time included).
    static func criticalPaths(_ jobs: [JobID: BuildJob], dependents: [JobID: [JobID]]) -> [JobID: Double] {
        var memo: [JobID: Double] = [:]
        func length(_ id: JobID, depth: Int) -> Double {
            if let known = memo[id] { return known }
            guard depth < jobs.count + 1 else { return 0 }  // a cycle would be a Portage bug; do not recurse forever
            let tail = (dependents[id] ?? []).map { length($0, depth: depth + 1) }.max() ?? 0
            let total = (jobs[id]?.estimatedSeconds ?? 0) + tail
            memo[id] = total
            return total
        }
        for id in jobs.keys { _ = length(id, depth: 0) }
        return memo
    }
}
