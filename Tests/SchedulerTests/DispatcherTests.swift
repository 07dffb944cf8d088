import FarmModel
import Synchronization
import Testing
@testable import Scheduler

/// A stand-in executor: records the order and concurrency of builds, fails the ones it is told to.
private final class RecordingExecutor: BuildExecutor {
    let failing: Set<String>
    let log = Mutex<(order: [String], running: Int, peak: Int)>(([], 0, 0))
    init(failing: Set<String> = []) { self.failing = failing }

    func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome {
        log.withLock { $0.running += 1; $0.peak = max($0.peak, $0.running) }
        try await Task.sleep(for: .milliseconds(20))
        log.withLock { $0.running -= 1; $0.order.append(job.id.cpv.package) }
        if failing.contains(job.id.cpv.package) { throw CancellationError() }
        return .succeeded
    }
}

@Suite struct DispatcherTests {
    let piii = ClassName("PIII")!
    func job(_ name: String, _ deps: [String] = []) -> BuildJob {
        BuildJob(id: JobID(piii, CPV("cat/\(name)-1")!), arch: "x86",
                 dependencies: Set(deps.map { JobID(piii, CPV("cat/\($0)-1")!) }))
    }

    @Test func runsInDependencyOrderWithinSlotLimit() async {
        // Given a diamond and a worker with two slots
        let executor = RecordingExecutor()
        let dispatcher = Dispatcher(jobs: [job("base"), job("left", ["base"]), job("right", ["base"]), job("top", ["left", "right"])],
                                    workers: [WorkerSlots(name: "local", arches: ["x86"], jobs: 2)], executor: executor)
        // When it runs
        let statuses = await dispatcher.run()
        // Then all succeed, base first and top last, never more than two at once
        let log = executor.log.withLock { $0 }
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(log.order.first == "base" && log.order.last == "top")
        #expect(log.peak == 2)
    }

    @Test func aThrowingBuildReleasesItsSlotAndSkipsDependents() async {
        // Given one slot and a build that throws
        let events = Mutex<[String]>([])
        let dispatcher = Dispatcher(jobs: [job("bad"), job("needsbad", ["bad"]), job("fine")],
                                    workers: [WorkerSlots(name: "local", arches: ["x86"], jobs: 1)],
                                    executor: RecordingExecutor(failing: ["bad"])) { event in
            if case .skipped(let id, _) = event { events.withLock { $0.append(id.cpv.package) } }
        }
        // When it runs
        let statuses = await dispatcher.run()
        // Then the other build still ran on the freed slot, and the dependent was skipped and reported
        #expect(statuses[JobID(piii, CPV("cat/fine-1")!)] == .succeeded)
        #expect(events.withLock { $0 } == ["needsbad"])
    }
}
