import FarmModel

/// What the schedule reports as it changes: the actions a dispatcher forwards to its user.
public enum ScheduleEvent: Sendable, Hashable {
    case started(JobID, worker: String)
    case finished(JobID, worker: String, outcome: BuildOutcome)
    case skipped(JobID, because: JobID)
    /// The build ended badly on `after` (SIGILL, a failure, a lost worker) and waits for another attempt.
    case retrying(JobID, after: String, reason: String)
    /// `worker` gets no builds for `seconds`: it was lost, or keeps failing.
    case parked(worker: String, seconds: Double, reason: String)
}
