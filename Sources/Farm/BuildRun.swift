import CPU
import Foundation
import FarmConfig
import FarmModel
import Portage
import Scheduler
import Store
import Workers

extension Farm {
    /// `farmctl build`: plans each class with emerge, builds what changed, assembles and publishes new roots.
    public func build(classes names: [String], verbose: Bool,
                      events: @escaping @Sendable (FarmEvent) -> Void) async throws -> BuildSummary {
        let started = Date()
        // 1. Validate every input before anything is written.
        let profiles = try profiles(named: names)
        let workers = try localWorkers()
        let coordinator = workers[0]
        let emerge = try emergeProgram(for: coordinator)
        let repositories = try repositories()
        let transport = LocalTransport()
        let workspaces = profiles.map {
            ClassWorkspace(profile: $0, settings: settings, worker: coordinator, repositories: repositories, emerge: emerge)
        }
        let lock = try FarmLock(directory: settings.state.path)
        defer { withExtendedLifetime(lock) {} }
        for workspace in workspaces {
            try workspace.writeConfigRoot()
            try workspace.prepareDirectories()
        }

        // 2. Plan every class; any planning error stops the run before a build or a store write.
        let planner = Planner(transport: transport)
        let known = FileManager.default.fileExists(atPath: settings.database.path) ? try openStore() : nil
        var plans = try await plan(workspaces, planner: planner, events: events) { try known?.pendingRebuilds(class: $0) ?? [] }

        // 3. Distfiles: one shared DISTDIR, each file verified against its Manifest.
        let distfiles = Distfiles(distdir: settings.distfiles.path, mirrors: settings.mirrors.map(\.path), repositories: repositories)
        let (needed, copied) = try distfiles.prepare(plans)
        if needed > 0 { events(.distfilesReady(count: needed, copied: copied)) }

        // 3b. Index each PKGDIR; binpkgs built for other flags are quarantined and their classes planned again.
        let store = try known ?? openStore()
        var replan: [ClassWorkspace] = []
        for workspace in workspaces {
            let moved = try PkgdirKeeper(workspace: workspace, settings: settings, store: store).sweep()
            for item in moved {
                events(.warning("\(workspace.nodeClass): moved \(item.relativePath) to quarantine (\(item.reason)); it is rebuilt"))
            }
            if !moved.isEmpty { replan.append(workspace) }
        }
        if !replan.isEmpty {
            let again = try await plan(replan, planner: planner, events: events) { try store.pendingRebuilds(class: $0) }
            plans = (plans.filter { plan in !again.contains { $0.workspace.nodeClass == plan.workspace.nodeClass } } + again)
                .sorted { $0.workspace.nodeClass < $1.workspace.nodeClass }
            _ = try distfiles.prepare(again)
        }

        // 4. Build, package by package, in dependency order across all classes, preferring workers whose
        //    own CPU runs the class's code (configure tests and generated tools run during builds).
        try store.recordInterruptedBuilds()
        let transports = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, transport as any WorkerTransport) })
        let hosts = await BuildHosts.read(workers, transports: transports, store: store, events: events)
        var placement: [ClassName: (runners: Set<String>, lacking: [String: [ISAFeature]], strict: Bool)] = [:]
        for plan in plans where !plan.toBuild.isEmpty {
            let profile = plan.workspace.profile
            let (runners, lacking) = hosts.runners(for: profile.requirements)
            placement[profile.name] = (runners, lacking, profile.cpu.strictBuildHosts)
            if runners.isEmpty, !profile.cpu.strictBuildHosts { events(.warning(BuildHosts.warning(for: profile, lacking: lacking))) }
        }
        let jobs = try Self.jobs(for: plans, store: store).map { job in
            guard let place = placement[job.id.nodeClass] else { return job }
            var job = job
            job.runners = place.runners
            job.runnersOnly = place.strict
            return job
        }
        let executor = EmergeBuildExecutor(
            workspaces: Dictionary(uniqueKeysWithValues: workspaces.map { ($0.nodeClass, $0) }),
            hostLogs: settings.logs.appendingPathComponent(ClassWorkspace.host.rawValue).path,
            transports: transports, lacking: placement.mapValues(\.lacking),
            store: store, verbose: verbose, events: events)
        let slots = workers.map { WorkerSlots(name: $0.name, arches: Set($0.arches.map(\.rawValue)), jobs: $0.jobs, speed: $0.speed) }
        let dispatcher = Dispatcher(jobs: jobs, workers: slots, executor: executor) { event in
            switch event {
            case .skipped(let id, let cause): events(.buildSkipped(id.nodeClass, id.cpv, because: cause.cpv))
            case .retrying(let id, let worker, let reason): events(.warning("\(id): \(reason); retrying (not on \(worker))"))
            case .parked(let worker, let seconds, let reason): events(.warning("worker \(worker) parked for \(Int(seconds)) s: \(reason)"))
            case .started, .finished: break
            }
        }
        let statuses = await dispatcher.run()

        // 5. Assemble and publish each class whose builds all succeeded; a failed class keeps its `current`.
        let assembler = Assembler(settings: settings, transport: transport, store: store, events: events)
        var results: [BuildSummary.ClassResult] = []
        for plan in plans {
            let nodeClass = plan.workspace.nodeClass
            let hostNeeds = Set(plan.toBuild.filter { $0.root == nil }.map(\.cpv))
            let mine = statuses.filter { $0.key.nodeClass == nodeClass || $0.key.nodeClass == ClassWorkspace.host && hostNeeds.contains($0.key.cpv) }
            let built = mine.values.filter { $0 == .succeeded }.count
            let failed = mine.count - built
            var outcome: ClassOutcome
            if failed > 0 {
                let names = mine.filter { $0.value != .succeeded }.map(\.key.cpv.description).sorted()
                outcome = .failed(reason: "\(failed) package(s) not built: \(names.joined(separator: ", "))")
            } else {
                do { outcome = try await assembler.assemble(plan.workspace) }
                catch { outcome = .failed(reason: "\(error)") }
            }
            if case .failed(let reason) = outcome { events(.classFailed(nodeClass, reason: reason)) }
            results.append(.init(nodeClass: nodeClass, outcome: outcome, built: built, failed: failed))
        }
        return BuildSummary(classes: results, seconds: Date().timeIntervalSince(started))
    }

    /// Plans classes concurrently; `pending` gives each class's quarantined packages to rebuild.
    private func plan(_ workspaces: [ClassWorkspace], planner: Planner, events: @escaping @Sendable (FarmEvent) -> Void,
                      pending: (ClassName) throws -> [QuarantineRecord]) async throws -> [ClassPlan] {
        let reinstall = try Dictionary(uniqueKeysWithValues: workspaces.map { workspace in
            (workspace.nodeClass, try pending(workspace.nodeClass).compactMap { CPV($0.cpv) })
        })
        return try await withThrowingTaskGroup(of: ClassPlan.self) { group in
            for workspace in workspaces {
                group.addTask {
                    events(.planning(workspace.nodeClass))
                    let plan = try await planner.plan(workspace, reinstall: reinstall[workspace.nodeClass] ?? [])
                    events(.planned(workspace.nodeClass, toBuild: plan.toBuild.map(\.cpv), emptyTree: plan.emptyTree))
                    return plan
                }
            }
            return try await group.reduce(into: [ClassPlan]()) { $0.append($1) }
        }.sorted { $0.workspace.nodeClass < $1.workspace.nodeClass }
    }

    /// One build job per planned package; host-side (build-only) packages once for all classes.
    static func jobs(for plans: [ClassPlan], store: FarmStore) throws -> [BuildJob] {
        var jobs: [JobID: BuildJob] = [:]
        for plan in plans {
            let nodeClass = plan.workspace.nodeClass
            let hostSide = Set(plan.toBuild.filter { $0.root == nil }.map(\.cpv))
            func id(_ cpv: CPV) -> JobID { JobID(hostSide.contains(cpv) ? ClassWorkspace.host : nodeClass, cpv) }
            for entry in plan.toBuild {
                let job = BuildJob(id: id(entry.cpv), arch: plan.workspace.profile.arch.rawValue,
                                   dependencies: Set((plan.dependencies[entry.cpv] ?? []).map(id)),
                                   estimatedSeconds: try store.meanBuildSeconds(cp: entry.cpv.cp) ?? 10)
                jobs[job.id, default: job].dependencies.formUnion(job.dependencies)
            }
        }
        return jobs.values.sorted { $0.id < $1.id }
    }
}
