import FarmModel
import Synchronization
import Testing
@testable import Scheduler

private let piii = ClassName("PIII")!
private func id(_ name: String) -> JobID { JobID(piii, CPV("cat/\(name)-1")!) }
private func job(_ name: String, deps: [String] = []) -> BuildJob {
    BuildJob(id: id(name), arch: "x86", dependencies: Set(deps.map(id)))
}
private let two = [WorkerSlots(name: "w1", arches: ["x86"], jobs: 1, speed: 2), WorkerSlots(name: "w2", arches: ["x86"], jobs: 1)]

@Suite struct FailureHandlingTests {
    @Test func aLostBuildIsRequeuedElsewhereAfterABackoffAndTheWorkerParked() {
        // Given a build running on the faster of two workers
        var state = ScheduleState(jobs: [job("a")], workers: two, policy: RetryPolicy(backoffSeconds: 2, lostParkSeconds: 10))
        #expect(state.nextAssignments(now: 0).map(\.worker) == ["w1"])
        // When w1 is lost at t=5
        let events = state.finish(id("a"), outcome: .workerLost(reason: "connection reset"), now: 5)
        // Then w1 is parked for 10 s, the build waits 2 s, and then starts on w2
        #expect(events.contains(.parked(worker: "w1", seconds: 10, reason: "lost during a build (connection reset)")))
        #expect(events.contains(.retrying(id("a"), after: "w1", reason: "connection reset")))
        #expect(state.nextAssignments(now: 6).isEmpty)
        #expect(state.nextWakeup(after: 6) == 7)
        #expect(state.nextAssignments(now: 7).map(\.worker) == ["w2"])
    }

    @Test func losesAreBoundedThenTheBuildFailsAndItsDependentsAreSkipped() {
        // Given one worker that keeps being lost, and a dependent build
        var state = ScheduleState(jobs: [job("a"), job("b", deps: ["a"])], workers: [two[0]],
                                  policy: RetryPolicy(lostRetries: 2, backoffSeconds: 1, lostParkSeconds: 1))
        var now = 0.0
        var lastEvents: [ScheduleEvent] = []
        // When every attempt is lost
        for _ in 0..<3 {
            now += 100  // past every backoff and park
            let started = state.nextAssignments(now: now)
            #expect(started.map(\.job.id) == [id("a")])
            lastEvents = state.finish(id("a"), outcome: .workerLost(reason: "gone"), now: now)
        }
        // Then after 1 + 2 retries it fails naming the losses, and b is skipped
        guard case .failed(let reason) = state.statuses[id("a")] else { Issue.record("a not failed"); return }
        #expect(reason.contains("lost 3 times"))
        #expect(lastEvents.contains(.skipped(id("b"), because: id("a"))))
        #expect(state.isFinished)
    }

    @Test func aFailingBuildIsTriedOnASecondWorkerThenFailsWithBothReasons() {
        // Given two workers
        var state = ScheduleState(jobs: [job("a")], workers: two)
        _ = state.nextAssignments()
        // When it fails on w1
        let first = state.finish(id("a"), outcome: .failed(reason: "compile error (log: /l1)"))
        // Then it is retried at once on w2
        #expect(first == [.retrying(id("a"), after: "w1", reason: "compile error (log: /l1)")])
        #expect(state.nextAssignments().map(\.worker) == ["w2"])
        // When it fails there too, Then it fails for good with both workers' reasons
        _ = state.finish(id("a"), outcome: .failed(reason: "compile error (log: /l2)"))
        #expect(state.statuses[id("a")] == .failed(reason: "failed on w1: compile error (log: /l1); on w2: compile error (log: /l2)"))
    }

    @Test func aWorkerThatKeepsFailingIsParkedButOthersGoOn() {
        // Given w1 (3 slots) and w2 (1 slot) busy with four builds, a fifth waiting, and builds not retried
        var state = ScheduleState(jobs: ["a", "b", "c", "d", "e"].map { job($0) },
                                  workers: [WorkerSlots(name: "w1", arches: ["x86"], jobs: 3, speed: 2),
                                            WorkerSlots(name: "w2", arches: ["x86"], jobs: 1)],
                                  policy: RetryPolicy(failuresPerBuild: 1, troublesBeforeParking: 3, parkSeconds: 300))
        let started = state.nextAssignments(now: 1)
        #expect(started.filter { $0.worker == "w1" }.count == 3)
        // When all three builds on w1 fail
        var events: [ScheduleEvent] = []
        for assignment in started where assignment.worker == "w1" {
            events += state.finish(assignment.job.id, outcome: .failed(reason: "disk full"), now: 1)
        }
        // Then w1 is parked for 300 s after its third failure in a row and gets nothing in that time
        #expect(events.filter { if case .parked = $0 { true } else { false } }
                == [.parked(worker: "w1", seconds: 300, reason: "3 builds in a row failed there (last: disk full)")])
        #expect(state.nextAssignments(now: 2).isEmpty)
        #expect(state.nextWakeup(after: 2) == 301)
        // When w2 finishes its build, Then the waiting build goes to w2
        let onW2 = started.first { $0.worker == "w2" }!.job.id
        state.finish(onW2, outcome: .succeeded, now: 3)
        #expect(state.nextAssignments(now: 3).map(\.worker) == ["w2"])
    }

    @Test func theDispatcherWakesUpForABackoffAndCompletes() async {
        // Given an executor that loses the first attempt on w1
        final class LosingOnce: BuildExecutor {
            let calls = Mutex<[String]>([])
            func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome {
                let first = calls.withLock { $0.append(worker); return $0.count == 1 }
                return first ? .workerLost(reason: "ssh: connection closed") : .succeeded
            }
        }
        let executor = LosingOnce()
        let events = Mutex<[ScheduleEvent]>([])
        let dispatcher = Dispatcher(jobs: [job("a"), job("b", deps: ["a"])], workers: two, executor: executor,
                                    policy: RetryPolicy(backoffSeconds: 0.05, lostParkSeconds: 60)) { event in
            events.withLock { $0.append(event) }
        }
        // When it runs
        let statuses = await dispatcher.run()
        // Then a was requeued on w2 after the backoff, and both succeeded there while w1 stayed parked
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(executor.calls.withLock { $0 } == ["w1", "w2", "w2"])
        #expect(events.withLock { $0 }.contains { if case .parked(worker: "w1", _, _) = $0 { true } else { false } })
    }
}

@Suite struct ArchPlacementTests {
    @Test func anX86OnlyWorkerNeverReceivesAmd64WorkEvenWhenItIsTheOnlyOneFree() async {
        // Given 40 amd64 and 40 x86 builds, a fast amd64 worker and an x86-only worker with free slots
        final class Recorder: BuildExecutor {
            let placed = Mutex<[(String, String)]>([])
            func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome {
                placed.withLock { $0.append((job.arch, worker)) }
                try await Task.sleep(for: .milliseconds(2))
                return .succeeded
            }
        }
        let k8 = ClassName("K8")!
        let jobs = (0..<40).flatMap { i in
            [BuildJob(id: JobID(k8, CPV("cat/a\(i)-1")!), arch: "amd64"), BuildJob(id: JobID(piii, CPV("cat/x\(i)-1")!), arch: "x86")]
        }
        let recorder = Recorder()
        let statuses = await Dispatcher(jobs: jobs, workers: [WorkerSlots(name: "big", arches: ["amd64", "x86"], jobs: 1, speed: 4),
                                                               WorkerSlots(name: "old", arches: ["x86"], jobs: 4, speed: 0.5)],
                                        executor: recorder).run()
        // Then all succeed, the old host took x86 work, and not one amd64 build went there
        let placed = recorder.placed.withLock { $0 }
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(placed.contains { $0 == ("x86", "old") })
        #expect(!placed.contains { $0.0 == "amd64" && $0.1 == "old" })
    }
}
