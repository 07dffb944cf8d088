import FarmModel

/// The schedule as a value-type state machine: which builds are waiting, running, done; where the next ones go.
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

    private(set) var jobs: [JobID: BuildJob]
    private(set) var status: [JobID: Status]
    private var dependents: [JobID: [JobID]] = [:]
    private var priority: [JobID: Double] = [:]
    private var workers: [String: WorkerSlots]
    private var busy: [String: Int] = [:]
    /// Workers a job died of SIGILL on: it is not placed there again.
    private var crashedOn: [JobID: Set<String>] = [:]

    /// Builds a schedule; dependencies on jobs not in `jobs` are treated as already satisfied.
    public init(jobs: [BuildJob], workers: [WorkerSlots]) {
        self.jobs = Dictionary(uniqueKeysWithValues: jobs.map { ($0.id, $0) })
        self.workers = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, $0) })
        status = self.jobs.mapValues { _ in .waiting }
        for job in jobs {
            let known = job.dependencies.filter { self.jobs[$0] != nil }
            self.jobs[job.id]?.dependencies = known
            for dependency in known { dependents[dependency, default: []].append(job.id) }
        }
        priority = ScheduleState.criticalPaths(self.jobs, dependents: dependents)
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

    /// The workers a job may go to: those building its arch and not crashed on; its runners among them when
    /// there are any (or always, when it must run on runners).
    func candidates(for job: BuildJob) -> [WorkerSlots] {
        let able = workers.values.filter { $0.arches.contains(job.arch) && !(crashedOn[job.id]?.contains($0.name) ?? false) }
        guard let runners = job.runners else { return able }
        let running = able.filter { runners.contains($0.name) }
        return running.isEmpty && !job.runnersOnly ? able : running
    }

    /// Picks the next builds to start: ready jobs by critical path, each on the best free worker.
    public mutating func nextAssignments() -> [Assignment] {
        let ready = status.compactMap { id, state -> BuildJob? in
            guard case .waiting = state, let job = jobs[id],
                  job.dependencies.allSatisfy({ status[$0] == .succeeded }) else { return nil }
            return job
        }.sorted { (priority[$0.id] ?? 0, $1.id) > (priority[$1.id] ?? 0, $0.id) }
        var assignments: [Assignment] = []
        for job in ready {
            guard let worker = bestWorker(for: job) else { continue }
            busy[worker, default: 0] += 1
            status[job.id] = .running(worker: worker)
            assignments.append(Assignment(job: job, worker: worker))
        }
        return assignments
    }

    /// Records how a build ended, frees its slot; a failure skips every build that depends on it.
    /// A SIGILL on a worker puts the job back to waiting when another worker that runs its code is left.
    public mutating func finish(_ id: JobID, outcome: BuildOutcome) {
        var worker: String?
        if case .running(let name) = status[id] { busy[name, default: 1] -= 1; worker = name }
        switch outcome {
        case .succeeded:
            status[id] = .succeeded
        case .illegalInstruction(let reason):
            if let worker, let job = jobs[id] {
                crashedOn[id, default: []].insert(worker)
                let retry = candidates(for: job).contains { job.runners?.contains($0.name) ?? false }
                if retry { status[id] = .waiting; return }
            }
            fail(id, reason: reason + "; no other worker whose CPU runs this code is left to retry on")
        case .failed(let reason):
            fail(id, reason: reason)
        }
    }

    private mutating func fail(_ id: JobID, reason: String) {
        status[id] = .failed(reason: reason)
        var stack = dependents[id] ?? []
        while let next = stack.popLast() {
            guard case .waiting = status[next] else { continue }
            status[next] = .skipped(because: id)
            stack.append(contentsOf: dependents[next] ?? [])
        }
    }

    /// Marks jobs no worker can build as failed, so their dependents are skipped.
    public mutating func failUnplaceable() {
        for job in unplaceable {
            let reason = job.runnersOnly && workers.values.contains { $0.arches.contains(job.arch) }
                ? "strict_build_hosts: no worker in workers.conf both builds arch \(job.arch) and has a CPU that runs \(job.id.nodeClass)'s code"
                : "no worker in workers.conf builds arch \(job.arch)"
            finish(job.id, outcome: .failed(reason: reason))
        }
    }

    /// The free worker with the best score (speed × free share of its slots) among the job's candidates.
    func bestWorker(for job: BuildJob) -> String? {
        candidates(for: job)
            .filter { busy[$0.name, default: 0] < $0.jobs }
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
