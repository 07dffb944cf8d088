import Scheduler
import SchedulerBaseline

/// A scheduler under test as the simulation drives it: farmctl's state machine behind a common face.
protocol SimulatedScheduler {
    init(jobs: [BuildJob], workers: [WorkerSlots])
    /// The builds to start at simulated time `now`, each with its worker's name.
    mutating func assign(now: Double) -> [(job: BuildJob, worker: String)]
    /// When a parked worker or a requeued build next becomes available (nil here: every build succeeds).
    func nextWakeup(after now: Double) -> Double?
    /// Records that `id` succeeded at simulated time `now`.
    mutating func succeed(_ id: JobID, now: Double)
    var isFinished: Bool { get }
}

/// Which scheduler a run measures.
enum SchedulerKind: String, CaseIterable {
    /// farmctl's `ScheduleState` of a5822dc (a renamed verbatim copy in SchedulerBaseline).
    case current
    /// The proposed `ScheduleState` (scheduler.diff) with the current placement rule (`.bestFreeWorker`).
    case indexed
    /// The proposed `ScheduleState` as proposed (`.earliestFinish`).
    case proposed

    var title: String {
        switch self {
        case .current: "current ScheduleState"
        case .indexed: "proposed, current placement (bestFreeWorker)"
        case .proposed: "proposed (earliestFinish)"
        }
    }

    /// Runs `body` with the scheduler type of this kind.
    func with<R>(_ body: (any SimulatedScheduler.Type) throws -> R) rethrows -> R {
        switch self {
        case .current: try body(Baseline.self)
        case .indexed: try body(Proposed<BestFree>.self)
        case .proposed: try body(Proposed<EarliestFinish>.self)
        }
    }
}

/// The current scheduler.
struct Baseline: SimulatedScheduler {
    var state: BaselineScheduleState
    init(jobs: [BuildJob], workers: [WorkerSlots]) { state = BaselineScheduleState(jobs: jobs, workers: workers) }
    mutating func assign(now: Double) -> [(job: BuildJob, worker: String)] {
        state.nextAssignments(now: now).map { ($0.job, $0.worker) }
    }
    func nextWakeup(after now: Double) -> Double? { state.nextWakeup(after: now) }
    mutating func succeed(_ id: JobID, now: Double) { state.finish(id, outcome: .succeeded, now: now) }
    var isFinished: Bool { state.isFinished }
}

/// A placement rule as a type, so each variant is its own scheduler type.
protocol PlacementChoice { static var placement: ScheduleState.Placement { get } }
enum BestFree: PlacementChoice { static var placement: ScheduleState.Placement { .bestFreeWorker } }
enum EarliestFinish: PlacementChoice { static var placement: ScheduleState.Placement { .earliestFinish } }

/// The proposed scheduler with placement `P`.
struct Proposed<P: PlacementChoice>: SimulatedScheduler {
    var state: ScheduleState
    init(jobs: [BuildJob], workers: [WorkerSlots]) {
        state = ScheduleState(jobs: jobs, workers: workers, placement: P.placement)
    }
    mutating func assign(now: Double) -> [(job: BuildJob, worker: String)] {
        state.nextAssignments(now: now).map { ($0.job, $0.worker) }
    }
    func nextWakeup(after now: Double) -> Double? { state.nextWakeup(after: now) }
    mutating func succeed(_ id: JobID, now: Double) { state.finish(id, outcome: .succeeded, now: now) }
    var isFinished: Bool { state.isFinished }
}
