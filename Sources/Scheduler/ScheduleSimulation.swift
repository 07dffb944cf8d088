import FarmModel

/// Runs a schedule on paper: every build takes its estimate divided by its worker's speed and succeeds.
/// `farmctl plan` shows the result; the scheduler benchmark measures it.
public struct ScheduleSimulation: Sendable {
    /// One build as simulated: where, and when it starts and ends (seconds from the start).
    public struct Placement: Sendable, Hashable {
        public var job: BuildJob
        public var worker: String
        public var start: Double
        public var end: Double
    }

    /// Every placed build, by start time.
    public var placements: [Placement] = []
    /// Final statuses (jobs no worker can build are failed).
    public var statuses: [JobID: ScheduleState.Status] = [:]
    /// When the last build ends.
    public var makespan: Double { placements.map(\.end).max() ?? 0 }

    /// Simulates `jobs` on `workers`.
    public init(jobs: [BuildJob], workers: [WorkerSlots]) {
        var state = ScheduleState(jobs: jobs, workers: workers)
        state.failUnplaceable()
        let speed = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, $0.speed) })
        var running: [(end: Double, id: JobID)] = []
        var now = 0.0
        while true {
            for assignment in state.nextAssignments(now: now) {
                let end = now + assignment.job.estimatedSeconds / (speed[assignment.worker] ?? 1)
                placements.append(Placement(job: assignment.job, worker: assignment.worker, start: now, end: end))
                running.append((end, assignment.job.id))
            }
            guard let next = running.indices.min(by: { running[$0].end < running[$1].end }) else { break }
            let finished = running.remove(at: next)
            now = finished.end
            state.finish(finished.id, outcome: .succeeded, now: now)
        }
        statuses = state.statuses
    }
}
