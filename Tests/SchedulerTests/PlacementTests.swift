import FarmModel
import Synchronization
import Testing
@testable import Scheduler

private let piii = ClassName("PIII")!
private func id(_ name: String) -> JobID { JobID(piii, CPV("cat/\(name)-1")!) }
private func job(_ name: String, seconds: Double, deps: [String] = []) -> BuildJob {
    BuildJob(id: id(name), arch: "x86", dependencies: Set(deps.map(id)), estimatedSeconds: seconds)
}
private let fastAndSlow = [WorkerSlots(name: "fast", arches: ["x86"], jobs: 1, speed: 4),
                           WorkerSlots(name: "slow", arches: ["x86"], jobs: 1, speed: 0.5)]

@Suite("Placing a build where it finishes first")
struct PlacementTests {
    @Test("Given a fast worker busy for 5 s and a slow one free, when a 10 s build is placed, then it waits for the fast one")
    func waitsForAFasterWorker() {
        var state = ScheduleState(jobs: [job("a", seconds: 10), job("b", seconds: 20)], workers: fastAndSlow)
        // b (longer critical path) goes first, to fast until 5; a ends at 5 + 2.5 on fast, at 20 on slow: it waits
        #expect(state.nextAssignments(now: 0).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["b@fast"])
        // When fast is free again, Then the waiting build starts there
        state.finish(id("b"), outcome: .succeeded, now: 5)
        #expect(state.nextAssignments(now: 5).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["a@fast"])
    }

    @Test("Given a fast worker busy for 25 s, when a 10 s build is placed, then it starts on the slow free worker")
    func takesTheSlowWorkerWhenItFinishesFirst() {
        var state = ScheduleState(jobs: [job("a", seconds: 100), job("b", seconds: 10)], workers: fastAndSlow)
        // a takes fast until 25; b ends at 20 on slow, at 27.5 on fast
        #expect(state.nextAssignments(now: 0).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["a@fast", "b@slow"])
    }

    @Test("Given a build far past its estimate on the fast worker, when a build is placed, then it does not wait for it")
    func anOverdueBuildIsNotAwaitedForever() {
        var state = ScheduleState(jobs: [job("a", seconds: 10), job("b", seconds: 10)], workers: fastAndSlow)
        // a is estimated to end at 2.5 on fast; b waits for it
        #expect(state.nextAssignments(now: 0).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["a@fast"])
        #expect(state.nextAssignments(now: 1).isEmpty)
        // When a still runs at 100, Then it is expected to run as long again (to 200): b ends sooner on slow (120)
        #expect(state.nextAssignments(now: 100).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["b@slow"])
    }

    @Test("Given placement bestFreeWorker, when two builds are placed, then the slow free worker takes the second")
    func bestFreeWorkerKeepsTheOldRule() {
        var state = ScheduleState(jobs: [job("a", seconds: 10), job("b", seconds: 20)], workers: fastAndSlow,
                                  placement: .bestFreeWorker)
        #expect(state.nextAssignments(now: 0).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["b@fast", "a@slow"])
    }

    @Test("Given a parked fast worker, when a build is placed, then the parking counts like a busy slot")
    func parkedWorkerIsLater() {
        let workers = [WorkerSlots(name: "fast", arches: ["x86"], jobs: 2, speed: 4), fastAndSlow[1]]
        var state = ScheduleState(jobs: [job("a", seconds: 10), job("b", seconds: 10), job("c", seconds: 10, deps: ["b"])],
                                  workers: workers, policy: RetryPolicy(troublesBeforeParking: 1, parkSeconds: 1000))
        // c's chain is longer, so b starts first; both on fast (ends 2.5) rather than slow (ends 20)
        #expect(state.nextAssignments(now: 0).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["b@fast", "a@fast"])
        // When a fails on fast at 1 (fast parked until 1001), Then a is retried on slow (until 21)
        state.finish(id("a"), outcome: .failed(reason: "disk full"), now: 1)
        #expect(state.nextAssignments(now: 1).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["a@slow"])
        // When b succeeds, Then c waits for slow (ends 41) rather than for the parked fast one (ends 1003.5)
        state.finish(id("b"), outcome: .succeeded, now: 2.5)
        #expect(state.nextAssignments(now: 2.5).isEmpty)
        #expect(state.nextWakeup(after: 2.5) == 1001)
        state.finish(id("a"), outcome: .succeeded, now: 21)
        #expect(state.nextAssignments(now: 21).map { "\($0.job.id.cpv.package)@\($0.worker)" } == ["c@slow"])
    }

    @Test("Given jobs waiting for a busy fast worker, when the dispatcher runs, then it does not stall and all succeed")
    func dispatcherDoesNotStallOnWaitingJobs() async {
        final class Quick: BuildExecutor {
            let placements = Mutex<[String]>([])
            func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome {
                try await Task.sleep(for: .milliseconds(10))
                placements.withLock { $0.append("\(job.id.cpv.package)@\(worker)") }
                return .succeeded
            }
        }
        let executor = Quick()
        let statuses = await Dispatcher(jobs: [job("a", seconds: 100), job("b", seconds: 90), job("c", seconds: 80)],
                                        workers: fastAndSlow, executor: executor).run()
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(executor.placements.withLock { $0 } == ["a@fast", "b@fast", "c@fast"])
    }

    @Test("Given many ready jobs, when they finish one by one, then isFinished and statuses follow without a rescan")
    func bookkeepingFollowsStatuses() {
        let names = (0..<50).map { "p\($0)" }
        var state = ScheduleState(jobs: names.enumerated().map { i, name in
            job(name, seconds: Double(i + 1), deps: i == 0 ? [] : [names[i - 1]])
        }, workers: fastAndSlow)
        var now = 0.0
        while !state.isFinished {
            let started = state.nextAssignments(now: now)
            #expect(started.count == 1)
            now += 1
            state.finish(started[0].job.id, outcome: .succeeded, now: now)
        }
        #expect(state.statuses.values.allSatisfy { $0 == .succeeded } && state.statuses.count == 50)
    }
}
