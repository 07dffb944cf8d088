// Frozen copy of farmctl's Sources/Scheduler/ScheduleState+Outcomes.swift at a5822dc (before ready queues and earliest-finish
// placement), ScheduleState renamed BaselineScheduleState: the benchmark's "current" scheduler. Do not edit.
import Scheduler
import FarmModel

extension BaselineScheduleState {
    /// Records how a build ended and frees its slot. A success ends the job; otherwise, by the outcome:
    /// - SIGILL: retried on a worker whose CPU runs the code, if one is left;
    /// - the worker was lost: requeued, preferably elsewhere, after a backoff, at most `lostRetries` times;
    /// - it failed: retried on another worker until it has failed on `failuresPerBuild` workers.
    /// A job that is not retried fails, and every build that depends on it is skipped.
    /// Workers with losses or repeated failures are parked for a while.
    @discardableResult
    public mutating func finish(_ id: JobID, outcome: BuildOutcome, now: Double = 0) -> [ScheduleEvent] {
        var worker = ""
        if case .running(let name) = status[id] { busy[name, default: 1] -= 1; worker = name }
        guard let job = jobs[id] else { return [] }
        var events = [ScheduleEvent]()
        switch outcome {
        case .succeeded:
            troubles[worker] = 0
            status[id] = .succeeded
            return [.finished(id, worker: worker, outcome: outcome)]
        case .illegalInstruction(let reason):
            excluded[id, default: []].insert(worker)
            if candidates(for: job).contains(where: { job.runners?.contains($0.name) ?? false }) {
                status[id] = .waiting
                return [.retrying(id, after: worker, reason: reason)]
            }
            return [.finished(id, worker: worker, outcome: outcome)]
                + fail(id, reason: reason + "; no other worker whose CPU runs this code is left to retry on")
        case .workerLost(let reason):
            events += park(worker, lost: true, reason: reason, now: now)
            lostOn[id, default: []].insert(worker)
            attempts[id, default: []].append("worker \(worker) lost: \(reason)")
            let losses = attempts[id, default: []].filter { $0.hasPrefix("worker ") }.count
            if losses <= policy.lostRetries {
                status[id] = .waiting
                notBefore[id] = now + policy.backoffSeconds * Double(1 << min(losses - 1, 10))
                return events + [.retrying(id, after: worker, reason: reason)]
            }
            return events + [.finished(id, worker: worker, outcome: outcome)]
                + fail(id, reason: "its worker was lost \(losses) times: " + attempts[id, default: []].joined(separator: "; "))
        case .failed(let reason):
            events += park(worker, lost: false, reason: reason, now: now)
            excluded[id, default: []].insert(worker)
            attempts[id, default: []].append("on \(worker): \(reason)")
            let failures = excluded[id, default: []].count
            if failures < policy.failuresPerBuild, !candidates(for: job).isEmpty {
                status[id] = .waiting
                return events + [.retrying(id, after: worker, reason: reason)]
            }
            let history = attempts[id, default: []]
            return events + [.finished(id, worker: worker, outcome: outcome)]
                + fail(id, reason: history.count == 1 ? reason : "failed " + history.joined(separator: "; "))
        }
    }

    /// Counts a failure or loss against `worker`; parks it when lost, or when it keeps failing.
    private mutating func park(_ worker: String, lost: Bool, reason: String, now: Double) -> [ScheduleEvent] {
        guard !worker.isEmpty else { return [] }
        let count = troubles[worker, default: 0] + 1
        troubles[worker] = count
        let seconds: Double
        if lost {
            seconds = min(policy.lostParkSeconds * Double(1 << min(count - 1, 10)), policy.parkSeconds)
        } else if count >= policy.troublesBeforeParking {
            seconds = policy.parkSeconds
        } else {
            return []
        }
        let until = now + seconds
        guard until > (parkedUntil[worker] ?? 0) else { return [] }
        parkedUntil[worker] = until
        let why = lost ? "lost during a build (\(reason))" : "\(count) builds in a row failed there (last: \(reason))"
        return [.parked(worker: worker, seconds: seconds, reason: why)]
    }
}
