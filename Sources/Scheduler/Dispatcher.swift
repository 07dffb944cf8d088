import FarmModel

/// Drives a `ScheduleState`: starts assigned builds through the executor, records outcomes, repeats until done.
///
/// The loop sleeps until the next build ends or the next parked worker or requeued build becomes
/// available, whichever comes first.
public actor Dispatcher {
    private var state: ScheduleState
    private let executor: any BuildExecutor
    private let onEvent: @Sendable (ScheduleEvent) -> Void
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    public init(jobs: [BuildJob], workers: [WorkerSlots], executor: any BuildExecutor, policy: RetryPolicy = RetryPolicy(),
                onEvent: @escaping @Sendable (ScheduleEvent) -> Void = { _ in }) {
        state = ScheduleState(jobs: jobs, workers: workers, policy: policy)
        self.executor = executor
        self.onEvent = onEvent
        start = clock.now
    }

    private enum Completion: Sendable {
        case build(JobID, BuildOutcome)
        case tick
    }

    private var now: Double {
        let elapsed = clock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    /// Runs every build that can run and returns the final status of each job.
    public func run() async -> [JobID: ScheduleState.Status] {
        state.failUnplaceable().forEach(onEvent)
        await withTaskGroup(of: Completion.self) { group in
            var running = 0
            var timerSet = false
            while true {
                for assignment in state.nextAssignments(now: now) {
                    running += 1
                    onEvent(.started(assignment.job.id, worker: assignment.worker))
                    let executor = self.executor
                    group.addTask {
                        // Every exit path yields an outcome, so the slot is always released.
                        let outcome: BuildOutcome
                        do { outcome = try await executor.execute(assignment.job, on: assignment.worker) }
                        catch { outcome = .failed(reason: "\(error)") }
                        return .build(assignment.job.id, outcome)
                    }
                }
                if !timerSet, let wakeup = state.nextWakeup(after: now), !state.isFinished {
                    timerSet = true
                    let delay = max(wakeup - now, 0.001)
                    group.addTask {
                        try? await Task.sleep(for: .milliseconds(Int(delay * 1000) + 1))
                        return .tick
                    }
                }
                guard running > 0 || timerSet, let completion = await group.next() else { break }
                switch completion {
                case .tick:
                    timerSet = false
                case .build(let id, let outcome):
                    running -= 1
                    state.finish(id, outcome: outcome, now: now).forEach(onEvent)
                }
                if state.isFinished { group.cancelAll() }
            }
        }
        return state.statuses
    }
}
