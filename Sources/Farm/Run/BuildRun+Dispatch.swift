import Binpkg
import CPU
import FarmConfig
import FarmModel
import Foundation
import Scheduler
import Store
import Workers

extension Farm {
    /// Step 4 of a build: connects to the workers, places each planned package on one (preferring workers whose
    /// own CPU runs the class's code: configure tests and generated tools run during builds) and runs them all.
    /// The class kernels (`kernels`) are jobs of the same schedule; their statuses are in the result too.
    func dispatch(_ plans: [ClassPlan], workspaces: [ClassWorkspace], distfiles: Distfiles, store: FarmStore, run: Int64?,
                  kernels: KernelJobs? = nil, verbose: Bool,
                  events: @escaping @Sendable (FarmEvent) -> Void) async throws -> [JobID: ScheduleState.Status] {
        let sites = await WorkerSite.open(settings.workers, events: events)
        let transports = sites.mapValues(\.transport)
        let hosts = await BuildHosts.read(settings.workers.filter { sites[$0.name] != nil }, transports: transports, store: store, events: events)
        let placement = hosts.placements(for: plans.filter { !$0.toBuild.isEmpty }.map(\.workspace.profile))
        for profile in plans.map(\.workspace.profile) {
            guard let place = placement[profile.name], place.runners.isEmpty, !place.strict else { continue }
            events(.warning(BuildHosts.warning(for: profile, lacking: place.lacking)))
        }
        let jobs = BuildHosts.place(try Self.jobs(for: plans, store: store), placement)
            + (kernels?.jobs(estimate: Self.kernelEstimate) ?? [])
        events(.scheduled(Dictionary(uniqueKeysWithValues: jobs.filter { !KernelJobs.isKernel($0.id) }.map { job in
            ("\(job.id.nodeClass)/\(job.id.cpv)", job.dependencies.map { "\($0.nodeClass)/\($0.cpv)" })
        })))
        let byClass = Dictionary(uniqueKeysWithValues: workspaces.map { ($0.nodeClass, $0) })
        var executor = EmergeBuildExecutor(
            workspaces: byClass,
            hostLogs: settings.logs.appendingPathComponent(ClassWorkspace.host.rawValue).path,
            sites: sites, distfiles: try Self.distfilesByJob(plans, distfiles: distfiles),
            sync: WorkerSync(distdir: settings.distfiles.path,
                             hostPkgdir: settings.packages.appendingPathComponent(ClassWorkspace.host.rawValue).path,
                             logs: settings.logs.path, state: settings.state),
            lacking: placement.mapValues(\.lacking), store: store, run: run, settings: settings, verbose: verbose, events: events)
        executor.kernels = kernels
        let slots = settings.workers.filter { sites[$0.name] != nil }.map { WorkerSlots(worker: $0) }
        let dispatcher = Dispatcher(jobs: jobs, workers: slots, executor: executor) { event in
            switch event {
            case .skipped(let id, let cause): events(.buildSkipped(id.nodeClass, id.cpv, because: cause.cpv))
            case .retrying(let id, let worker, let reason): events(.warning("\(id): \(reason); retrying (not on \(worker))"))
            case .parked(let worker, let seconds, let reason): events(.warning("worker \(worker) parked for \(Int(seconds)) s: \(reason)"))
            case .finished(let id, "", .failed(let reason)): events(.warning("\(id): \(reason)"))
            case .started, .finished: break
            }
        }
        return await dispatcher.run()
    }

    /// The seconds a kernel job is expected to take on a worker of speed 1.0: more than any package of the example
    /// farm, so the scheduler starts kernels first (a kernel is about 350 s on 2 cores, a package a few seconds).
    static let kernelEstimate = 300.0

    /// Each job's distfiles with their Manifest entries (for pushing them to workers).
    static func distfilesByJob(_ plans: [ClassPlan], distfiles: Distfiles) throws -> [JobID: [(String, Manifest.Entry)]] {
        var result: [JobID: [(String, Manifest.Entry)]] = [:]
        for plan in plans {
            for entry in plan.toBuild {
                result[plan.jobID(entry.cpv)] = try (plan.distfiles[entry.cpv] ?? []).map { ($0, try distfiles.manifestEntry(for: entry, name: $0).1) }
            }
        }
        return result
    }
}
