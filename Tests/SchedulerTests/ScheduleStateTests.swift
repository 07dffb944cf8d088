import FarmModel
import Testing
@testable import Scheduler

private let piii = ClassName("PIII")!
private func job(_ cpv: String, deps: [String] = [], seconds: Double = 10, arch: String = "x86") -> BuildJob {
    BuildJob(id: JobID(piii, CPV(cpv)!), arch: arch, dependencies: Set(deps.map { JobID(piii, CPV($0)!) }),
             estimatedSeconds: seconds)
}

@Suite struct ScheduleStateTests {
    @Test func onlyJobsWhoseDependenciesSucceededAreReady() {
        // Given a diamond: app needs left and right, both need base
        var state = ScheduleState(jobs: [
            job("dev-libs/base-1"), job("dev-libs/left-1", deps: ["dev-libs/base-1"]),
            job("dev-libs/right-1", deps: ["dev-libs/base-1"]),
            job("app-misc/app-1", deps: ["dev-libs/left-1", "dev-libs/right-1"]),
        ], workers: [WorkerSlots(name: "local", arches: ["x86"], jobs: 4)])
        // When the dispatcher asks for work
        let first = state.nextAssignments()
        // Then only the base starts, although four slots are free
        #expect(first.map(\.job.id.cpv.package) == ["base"])
        // When the base succeeds
        state.finish(first[0].job.id, outcome: .succeeded)
        // Then both sides start together, and app waits for both
        #expect(Set(state.nextAssignments().map(\.job.id.cpv.package)) == ["left", "right"])
        #expect(state.nextAssignments().isEmpty)
    }

    @Test func failureSkipsEveryDependentButNotOthers() {
        // Given a chain base <- mid <- top and an unrelated package
        var state = ScheduleState(jobs: [
            job("dev-libs/base-1"), job("dev-libs/mid-1", deps: ["dev-libs/base-1"]),
            job("app-misc/top-1", deps: ["dev-libs/mid-1"]), job("app-misc/other-1"),
        ], workers: [WorkerSlots(name: "local", arches: ["x86"], jobs: 2)])
        let started = state.nextAssignments()
        #expect(started.count == 2)
        // When the base fails
        state.finish(JobID(piii, CPV("dev-libs/base-1")!), outcome: .failed(reason: "boom"))
        // Then mid and top are skipped, both naming the failed base as the cause; the other package still runs
        #expect(state.statuses[JobID(piii, CPV("dev-libs/mid-1")!)] == .skipped(because: JobID(piii, CPV("dev-libs/base-1")!)))
        #expect(state.statuses[JobID(piii, CPV("app-misc/top-1")!)] == .skipped(because: JobID(piii, CPV("dev-libs/base-1")!)))
        #expect(!state.isFinished)
        state.finish(JobID(piii, CPV("app-misc/other-1")!), outcome: .succeeded)
        #expect(state.isFinished)
    }

    @Test func criticalPathGoesFirst() {
        // Given one slot, a long chain and a short leaf
        var state = ScheduleState(jobs: [
            job("app-misc/leaf-1", seconds: 50), job("dev-libs/head-1", seconds: 5),
            job("app-misc/tail-1", deps: ["dev-libs/head-1"], seconds: 100),
        ], workers: [WorkerSlots(name: "local", arches: ["x86"], jobs: 1)])
        // When one build can start, Then it is the head of the 105 s chain, not the 50 s leaf
        #expect(state.nextAssignments().map(\.job.id.cpv.package) == ["head"])
    }

    @Test func faster_freer_worker_wins_and_arch_is_respected() {
        // Given a slow amd64-only worker, a fast worker that also builds x86, and a long x86 build
        var state = ScheduleState(jobs: [job("app-misc/a-1", seconds: 100), job("app-misc/b-1", arch: "amd64")], workers: [
            WorkerSlots(name: "slow", arches: ["amd64"], jobs: 1, speed: 0.5),
            WorkerSlots(name: "fast", arches: ["amd64", "x86"], jobs: 1, speed: 2.0),
        ])
        let assignments = Dictionary(uniqueKeysWithValues: state.nextAssignments().map { ($0.job.id.cpv.package, $0.worker) })
        // Then the x86 job goes to the only x86 worker and the amd64 job to the one left free (done there at 20 s,
        // not at 55 s after waiting for the fast one)
        #expect(assignments == ["a": "fast", "b": "slow"])
    }

    @Test func jobsNoWorkerCanBuildFailWithAReason() {
        var state = ScheduleState(jobs: [job("app-misc/a-1", arch: "x86")],
                                  workers: [WorkerSlots(name: "w", arches: ["amd64"], jobs: 1)])
        state.failUnplaceable()
        guard case .failed(let reason) = state.statuses.values.first else { Issue.record("not failed"); return }
        #expect(reason.contains("arch x86"))
    }
}
