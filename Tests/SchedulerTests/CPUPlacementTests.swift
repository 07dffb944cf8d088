import FarmModel
import Synchronization
import Testing
@testable import Scheduler

/// A stand-in executor: builds die of SIGILL on the workers named in `illegalOn`; records where each ran.
private final class CPUExecutor: BuildExecutor {
    let illegalOn: Set<String>
    let placements = Mutex<[String]>([])
    init(illegalOn: Set<String>) { self.illegalOn = illegalOn }

    func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome {
        placements.withLock { $0.append(worker) }
        return illegalOn.contains(worker) ? .illegalInstruction(reason: "died of SIGILL on \(worker)") : .succeeded
    }
}

@Suite("Placing builds by the workers' CPUs")
struct CPUPlacementTests {
    let athlon = ClassName("AthlonXP")!
    let workers = [WorkerSlots(name: "modern", arches: ["x86", "amd64"], jobs: 4, speed: 4),
                   WorkerSlots(name: "oldathlon", arches: ["x86"], jobs: 1, speed: 1)]

    func job(runners: Set<String>?, runnersOnly: Bool = false) -> BuildJob {
        BuildJob(id: JobID(athlon, CPV("dev-libs/gmp-6.3.0")!), arch: "x86", runners: runners, runnersOnly: runnersOnly)
    }

    @Test("Given a fast worker without 3DNow! and a slow Athlon, when an AthlonXP build is placed, then it goes to the Athlon")
    func prefersRunners() async {
        let executor = CPUExecutor(illegalOn: [])
        let statuses = await Dispatcher(jobs: [job(runners: ["oldathlon"])], workers: workers, executor: executor).run()
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(executor.placements.withLock { $0 } == ["oldathlon"])
    }

    @Test("Given no worker runs the class's code, when a build dies of SIGILL, then it fails saying so, retried nowhere")
    func sigillWithoutRunner() async {
        let executor = CPUExecutor(illegalOn: ["modern", "oldathlon"])
        let statuses = await Dispatcher(jobs: [job(runners: [])], workers: workers, executor: executor).run()
        guard case .failed(let reason) = statuses.values.first else { Issue.record("not failed: \(statuses)"); return }
        #expect(reason.contains("SIGILL") && reason.contains("no other worker whose CPU runs this code"))
        #expect(executor.placements.withLock { $0 }.count == 1)
    }

    @Test("Given a worker whose CPU was thought able, when the build dies of SIGILL there, then it is retried on another runner")
    func sigillRetriedOnRunner() async {
        let workers = self.workers + [WorkerSlots(name: "athlon2", arches: ["x86"], jobs: 1, speed: 0.5)]
        let executor = CPUExecutor(illegalOn: ["oldathlon"])
        var events: [String] = []
        let log = Mutex<[String]>([])
        let statuses = await Dispatcher(jobs: [job(runners: ["oldathlon", "athlon2"])], workers: workers, executor: executor) { event in
            if case .retrying(_, let after, _) = event { log.withLock { $0.append(after) } }
        }.run()
        events = log.withLock { $0 }
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(executor.placements.withLock { $0 } == ["oldathlon", "athlon2"])
        #expect(events == ["oldathlon"])
    }

    @Test("Given strict_build_hosts and no runner, when scheduling, then the build fails before it starts, naming the rule")
    func strictWithoutRunner() async {
        let executor = CPUExecutor(illegalOn: [])
        let statuses = await Dispatcher(jobs: [job(runners: [], runnersOnly: true)], workers: workers, executor: executor).run()
        guard case .failed(let reason) = statuses.values.first else { Issue.record("not failed"); return }
        #expect(reason.contains("strict_build_hosts"))
        #expect(executor.placements.withLock { $0 }.isEmpty)
    }

    @Test("Given no worker runs the class's code and the class is not strict, when scheduling, then it builds anywhere")
    func lenientWithoutRunner() async {
        let executor = CPUExecutor(illegalOn: [])
        let statuses = await Dispatcher(jobs: [job(runners: [])], workers: workers, executor: executor).run()
        #expect(statuses.values.allSatisfy { $0 == .succeeded })
        #expect(executor.placements.withLock { $0 } == ["modern"])
    }
}
