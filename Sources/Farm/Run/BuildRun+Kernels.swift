import FarmModel
import Foundation
import Kernels
import Scheduler
import Store

/// The class kernels (and their out-of-tree modules) as jobs in the scheduler, beside the package builds: one job
/// per class with a `[kernel]`, placed on the coordinator (whose kernel cache the roots take them from), started
/// first (the longest jobs on the critical path), one build slot each. Two classes with the same kernel key take
/// turns on the cache's lock, and the second finds the first's build.
actor KernelJobs {
    private let builder: KernelBuilder
    private let workspaces: [ClassName: ClassWorkspace]
    private var results: [ClassName: Result<BuiltKernel, any Error>] = [:]

    /// The reserved category of a kernel job's id (`CLASS/farmctl-kernel/linux-VERSION`); no ebuild repository has it.
    static let category = "farmctl-kernel"

    init(directory: String, workspaces: [ClassWorkspace], events: @escaping @Sendable (FarmEvent) -> Void) {
        self.workspaces = Dictionary(uniqueKeysWithValues: workspaces.filter { $0.profile.kernel != nil }.map { ($0.nodeClass, $0) })
        builder = KernelBuilder(directory: directory) { event in
            switch event {
            case .progress(let text): events(.kernelProgress(text))
            case let .building(nodeClass, key, log): events(.kernelBuilding(nodeClass, key: key, log: log))
            case let .built(nodeClass, release, key, seconds, cached):
                events(.kernelBuilt(nodeClass, release: release, key: key, seconds: seconds, cached: cached))
            case let .moduleBuilt(nodeClass, module, release, seconds, succeeded):
                events(.moduleBuilt(nodeClass, module: module, release: release, seconds: seconds, succeeded: succeeded))
            }
        }
    }

    /// Whether `id` is a kernel job.
    nonisolated static func isKernel(_ id: JobID) -> Bool { id.cpv.category == category }

    /// One job per class with a kernel, for `coordinator` only; `estimate` is the seconds a kernel build is expected
    /// to take (the scheduler starts the longest first).
    nonisolated func jobs(coordinator: String, estimate: Double) -> [BuildJob] {
        workspaces.values.sorted { $0.nodeClass < $1.nodeClass }.map { workspace in
            let version = workspace.profile.kernel!.version.value.filter { $0.isNumber || $0 == "." }
            let cpv = CPV(category: Self.category, package: "linux", version: version.isEmpty ? "0" : version)
            return BuildJob(id: JobID(workspace.nodeClass, cpv), arch: workspace.profile.arch.rawValue,
                            estimatedSeconds: estimate, runners: [coordinator], runnersOnly: true)
        }
    }

    /// Builds (or finds cached) the kernel of the job's class; never throws: the class gets its kernel or the error.
    func execute(_ job: BuildJob) async -> BuildOutcome {
        guard let workspace = workspaces[job.id.nodeClass], let kernel = workspace.profile.kernel else {
            return .failed(reason: "class \(job.id.nodeClass) has no [kernel]")
        }
        do {
            results[job.id.nodeClass] = .success(try await builder.build(kernel, for: job.id.nodeClass))
            return .succeeded
        } catch {
            results[job.id.nodeClass] = .failure(error)
            return .failed(reason: "\(error)")
        }
    }

    /// Runs every kernel job here, one after the other (a farm whose coordinator has no build slot).
    func runAll(coordinator: String) async {
        for job in jobs(coordinator: coordinator, estimate: 0) { _ = await execute(job) }
    }

    /// Each class's kernel, or why it has none: its build's error, or the scheduler's status when it never ran.
    func outcomes(_ statuses: [JobID: ScheduleState.Status]) -> [ClassName: Result<BuiltKernel, any Error>] {
        var outcomes = results
        for (id, status) in statuses where Self.isKernel(id) && outcomes[id.nodeClass] == nil {
            outcomes[id.nodeClass] = .failure(Problem(problem: "the kernel job of class \(id.nodeClass) did not run (\(status))",
                                                      fix: "check that the coordinator is a worker for arch \(workspaces[id.nodeClass]?.profile.arch.rawValue ?? "?")"))
        }
        for nodeClass in workspaces.keys where outcomes[nodeClass] == nil {
            outcomes[nodeClass] = .failure(Problem(problem: "the kernel job of class \(nodeClass) was not scheduled",
                                                   fix: "run the build again"))
        }
        return outcomes
    }
}

extension Farm {
    /// Builds (or finds cached) the kernel and modules of each class that has a `[kernel]`, outside a run's
    /// schedule (tests, tools): each class in turn through the same `KernelJobs`.
    func buildKernels(_ workspaces: [ClassWorkspace], events: @escaping @Sendable (FarmEvent) -> Void) async
        -> [ClassName: Result<BuiltKernel, any Error>] {
        let kernels = KernelJobs(directory: settings.state.appendingPathComponent("kernels").path, workspaces: workspaces, events: events)
        await kernels.runAll(coordinator: settings.coordinator.name)
        return await kernels.outcomes([:])
    }
}
