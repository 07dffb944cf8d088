import FarmModel

/// The schedule as a value-type state machine: which builds are waiting, running, done; where the next ones go.
///
/// Time is the caller's: seconds on any monotonic clock, passed as `now`. Methods that change the schedule
/// return the events the change causes, for the dispatcher to report.
///
/// Every call costs about the builds it starts or ends, not the size of the schedule: jobs become ready when
/// their last dependency succeeds (a count per job), ready jobs wait in priority queues grouped by the workers
/// they may go to, and the counts behind `isFinished` are kept as statuses change (all through `setStatus`).
public struct ScheduleState: Sendable {
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

    /// How a ready job's worker is chosen.
    public enum Placement: Sendable, Hashable {
        /// The candidate on which the job would finish first, counting the time until a busy or parked worker
        /// frees a slot (from the estimates of the builds it runs); when that is a busy worker, the job waits for
        /// it, and the slot counts as taken for the jobs after it. Ties go to a free worker, then as below.
        case earliestFinish
        /// The free candidate with the best speed × free share of its slots (farmctl before earliestFinish).
        case bestFreeWorker
    }

    private(set) var jobs: [JobID: BuildJob]
    /// Written only through `setStatus`, which keeps the ready queues and counts in step.
    var status: [JobID: Status]
    var dependents: [JobID: [JobID]] = [:]
    private(set) var priority: [JobID: Double] = [:]
    var workers: [String: WorkerSlots]
    let policy: RetryPolicy
    let placement: Placement
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
    /// Ready jobs, running builds and the counts behind `isFinished` (see ScheduleState+Bookkeeping.swift).
    var book: Bookkeeping

    /// Builds a schedule; dependencies on jobs not in `jobs` are treated as already satisfied.
    public init(jobs: [BuildJob], workers: [WorkerSlots], policy: RetryPolicy = RetryPolicy(),
                placement: Placement = .earliestFinish) {
        var byID = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        var dependents: [JobID: [JobID]] = [:]
        for job in jobs {
            let known = job.dependencies.filter { byID[$0] != nil }
            byID[job.id]?.dependencies = known
            for dependency in known { dependents[dependency, default: []].append(job.id) }
        }
        self.jobs = byID
        self.dependents = dependents
        self.workers = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, $0) })
        self.policy = policy
        self.placement = placement
        status = byID.mapValues { _ in .waiting }
        priority = ScheduleState.criticalPaths(byID, dependents: dependents)
        book = Bookkeeping(jobs: byID, priority: priority, workers: workers)
        for id in book.initiallyReady { enqueue(id) }
    }

    /// The status of every job.
    public var statuses: [JobID: Status] { status }

    /// True when no job is waiting or running.
    public var isFinished: Bool { book.unfinished == 0 }

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

    /// Picks the next builds to start: ready jobs by critical path, each placed as `placement` says
    /// (see ScheduleState+Placement.swift).
    public mutating func nextAssignments(now: Double = 0) -> [Assignment] {
        placeReadyJobs(now: now)
    }

    /// The earliest future time at which a parked worker or a requeued job becomes available, if any.
    public func nextWakeup(after now: Double) -> Double? {
        let parks = parkedUntil.values.filter { $0 > now }
        let backoffs = notBefore.filter { status[$0.key] == .waiting && $0.value > now }.values
        return (parks + backoffs).min()
    }

    mutating func fail(_ id: JobID, reason: String) -> [ScheduleEvent] {
        setStatus(id, .failed(reason: reason))
        var events: [ScheduleEvent] = []
        var stack = dependents[id] ?? []
        while let next = stack.popLast() {
            guard case .waiting = status[next] else { continue }
            setStatus(next, .skipped(because: id))
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

    /// The longest estimated path from each job to the end of the graph (the job's own time included).
    /// Jobs on a dependency cycle (a Portage bug) get their own time.
    static func criticalPaths(_ jobs: [JobID: BuildJob], dependents: [JobID: [JobID]]) -> [JobID: Double] {
        var waitingFor = jobs.mapValues { $0.dependencies.count }
        var order = jobs.keys.filter { waitingFor[$0] == 0 }
        var next = 0
        while next < order.count {
            for dependent in dependents[order[next]] ?? [] {
                waitingFor[dependent]! -= 1
                if waitingFor[dependent] == 0 { order.append(dependent) }
            }
            next += 1
        }
        var memo = jobs.mapValues(\.estimatedSeconds)
        for id in order.reversed() {
            memo[id]! += (dependents[id] ?? []).map { memo[$0]! }.max() ?? 0
        }
        return memo
    }
}
