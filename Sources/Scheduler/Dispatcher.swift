import FarmModel

/// What the dispatcher reports while it runs.
public enum ScheduleEvent: Sendable {
    case started(JobID, worker: String)
    case finished(JobID, worker: String, outcome: BuildOutcome)
    case skipped(JobID, because: JobID)
    /// The build died of SIGILL on `worker` and waits for a worker whose CPU runs its code.
    case retrying(JobID, after: String, reason: String)
}

/// Drives a `ScheduleState`: starts assigned builds through the executor, records outcomes, repeats until done.
public actor Dispatcher {
    private var state: ScheduleState
    private let executor: any BuildExecutor
    private let onEvent: @Sendable (ScheduleEvent) -> Void

    public init(jobs: [BuildJob], workers: [WorkerSlots], executor: any BuildExecutor,
                onEvent: @escaping @Sendable (ScheduleEvent) -> Void = { _ in }) {
        state = ScheduleState(jobs: jobs, workers: workers)
        self.executor = executor
        self.onEvent = onEvent
    }

    /// Runs every build that can run and returns the final status of each job.
    public func run() async -> [JobID: ScheduleState.Status] {
        state.failUnplaceable()
        reportSkips(previous: [:])
        await withTaskGroup(of: (JobID, String, BuildOutcome).self) { group in
            var running = 0
            while true {
                for assignment in state.nextAssignments() {
                    running += 1
                    onEvent(.started(assignment.job.id, worker: assignment.worker))
                    let executor = self.executor
                    group.addTask {
                        // Every exit path yields an outcome, so the slot is always released.
                        let outcome: BuildOutcome
                        do { outcome = try await executor.execute(assignment.job, on: assignment.worker) }
                        catch { outcome = .failed(reason: "\(error)") }
                        return (assignment.job.id, assignment.worker, outcome)
                    }
                }
                guard running > 0, let (id, worker, outcome) = await group.next() else { break }
                running -= 1
                let before = state.statuses
                state.finish(id, outcome: outcome)
                if case .illegalInstruction(let reason) = outcome, state.statuses[id] == .waiting {
                    onEvent(.retrying(id, after: worker, reason: reason))
                } else {
                    onEvent(.finished(id, worker: worker, outcome: outcome))
                }
                reportSkips(previous: before)
            }
        }
        return state.statuses
    }

    private func reportSkips(previous: [JobID: ScheduleState.Status]) {
        for (id, status) in state.statuses.sorted(by: { $0.key < $1.key }) {
            if case .skipped(let cause) = status, previous[id] != status { onEvent(.skipped(id, because: cause)) }
        }
    }
}
