import FarmModel
import Foundation
import Kernels
import Scheduler
import Store
import Workers

/// The class kernels (and their out-of-tree modules) as jobs in the scheduler, beside the package builds: one job
/// per class with a `[kernel]`, on any worker that builds the class's arch (the coordinator, or an SSH worker that
/// receives the source and sends the finished tree back), started first (the longest jobs on the critical path),
/// one build slot each. Two classes with the same kernel key take turns on the coordinator cache's lock, and the
/// second finds the first's build. A kernel build lost with its worker is requeued like a package build.
actor KernelJobs {
    private let directory: String
    private let workspaces: [ClassName: ClassWorkspace]
    private let events: @Sendable (FarmEvent) -> Void
    private var results: [ClassName: Result<BuiltKernel, any Error>] = [:]

    /// The reserved category of a kernel job's id (`CLASS/farmctl-kernel/linux-VERSION`); no ebuild repository has it.
    static let category = "farmctl-kernel"

    init(directory: String, workspaces: [ClassWorkspace], events: @escaping @Sendable (FarmEvent) -> Void) {
        self.directory = directory
        self.workspaces = Dictionary(uniqueKeysWithValues: workspaces.filter { $0.profile.kernel != nil }.map { ($0.nodeClass, $0) })
        self.events = events
    }

    /// Whether `id` is a kernel job.
    nonisolated static func isKernel(_ id: JobID) -> Bool { id.cpv.category == category }

    /// One job per class with a kernel, for any worker of the class's arch (`runners` limits them, e.g. to the
    /// coordinator); `estimate` is the seconds a kernel build is expected to take (the scheduler starts the longest first).
    nonisolated func jobs(runners: Set<String>? = nil, estimate: Double) -> [BuildJob] {
        workspaces.values.sorted { $0.nodeClass < $1.nodeClass }.map { workspace in
            let version = workspace.profile.kernel!.version.value.filter { $0.isNumber || $0 == "." }
            let cpv = CPV(category: Self.category, package: "linux", version: version.isEmpty ? "0" : version)
            return BuildJob(id: JobID(workspace.nodeClass, cpv), arch: workspace.profile.arch.rawValue,
                            estimatedSeconds: estimate, runners: runners, runnersOnly: runners != nil)
        }
    }

    /// Builds (or finds cached) the kernel of the job's class on `site` (the coordinator when nil); never throws:
    /// the class gets its kernel or the error, except when the worker is lost (the job is then requeued).
    func execute(_ job: BuildJob, on site: WorkerSite? = nil) async -> BuildOutcome {
        guard let workspace = workspaces[job.id.nodeClass], let kernel = workspace.profile.kernel else {
            return .failed(reason: "class \(job.id.nodeClass) has no [kernel]")
        }
        do {
            results[job.id.nodeClass] = .success(try await builder(on: site).build(kernel, for: job.id.nodeClass))
            return .succeeded
        } catch let error as any WorkerLossError where error.isWorkerLost {
            return .workerLost(reason: "worker \(site?.name ?? "?") was lost during the kernel build: \(error)")
        } catch {
            results[job.id.nodeClass] = .failure(error)
            return .failed(reason: "\(error)")
        }
    }

    /// The builder for `site`: the coordinator's cache itself, or a worker's cache under its workdir mirrored here.
    private func builder(on site: WorkerSite?) -> KernelBuilder {
        let events = self.events
        let report: @Sendable (KernelEvent) -> Void = { event in
            switch event {
            case .progress(let text): events(.kernelProgress(text))
            case let .building(nodeClass, key, host, log): events(.kernelBuilding(nodeClass, key: key, worker: host, log: log))
            case let .built(nodeClass, release, key, seconds, cached):
                events(.kernelBuilt(nodeClass, release: release, key: key, seconds: seconds, cached: cached))
            case let .moduleBuilt(nodeClass, module, release, seconds, succeeded):
                events(.moduleBuilt(nodeClass, module: module, release: release, seconds: seconds, succeeded: succeeded))
            }
        }
        guard let site, !site.isCoordinator else {
            return KernelBuilder(directory: directory, hostName: site?.name ?? "coordinator", events: report)
        }
        let host = RemoteKernelHost(transport: site.transport, searchPath: WorkerSite.remoteSearchPath, scratch: directory + "/uploads")
        return KernelBuilder(directory: (site.spec.workdir.path as NSString).appendingPathComponent("kernels"), host: host,
                             mirror: directory, hostName: site.name, events: report)
    }

    /// Runs every kernel job here, one after the other (a farm whose coordinator has no build slot).
    func runAll() async {
        for job in jobs(estimate: 0) { _ = await execute(job) }
    }

    /// Each class's kernel, or why it has none: its build's error, or the scheduler's status when it never ran.
    func outcomes(_ statuses: [JobID: ScheduleState.Status]) -> [ClassName: Result<BuiltKernel, any Error>] {
        var outcomes = results
        for (id, status) in statuses where Self.isKernel(id) && outcomes[id.nodeClass] == nil {
            outcomes[id.nodeClass] = .failure(Problem(problem: "the kernel job of class \(id.nodeClass) did not run (\(status))",
                                                      fix: "check that a worker in workers.conf builds arch \(workspaces[id.nodeClass]?.profile.arch.rawValue ?? "?")"))
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
        await kernels.runAll()
        return await kernels.outcomes([:])
    }
}
