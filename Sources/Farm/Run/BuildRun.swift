import CPU
import Foundation
import FarmConfig
import FarmModel
import Portage
import Scheduler
import Store
import Workers

/// How a run starts: `farmctl build` or `farmctl nightly`, and its options.
public struct RunOptions: Sendable {
    public enum Command: String, Sendable { case build, nightly }
    public var command: Command
    /// Wait for a run that holds the farm lock instead of refusing at once.
    public var wait: Bool
    /// Run `[farm] sync` first (nightly only).
    public var sync: Bool
    /// Stream emerge's output.
    public var verbose: Bool
    /// Plan every class with emerge even when its inputs are unchanged since an empty plan (`NoOpMemo`).
    public var replan: Bool

    public init(command: Command = .build, wait: Bool = false, sync: Bool = true, verbose: Bool = false, replan: Bool = false) {
        self.command = command
        self.wait = wait
        self.sync = sync
        self.verbose = verbose
        self.replan = replan
    }
}

extension Farm {
    /// `farmctl build`: plans each class with emerge, builds what changed, assembles and publishes new roots.
    public func build(classes names: [String], verbose: Bool,
                      events: @escaping @Sendable (FarmEvent) -> Void) async throws -> BuildSummary {
        try await run(classes: names, options: RunOptions(verbose: verbose), events: events)
    }

    /// One run (`build` or `nightly`), recorded in the store: validated inputs, the farm lock, whatever a dead
    /// previous run left cleaned up, then the steps. Throws for errors that stop the whole run before any root
    /// changes (configuration, planning, distfiles); a class that fails later is in the summary.
    public func run(classes names: [String], options: RunOptions,
                    events: @escaping @Sendable (FarmEvent) -> Void) async throws -> BuildSummary {
        let started = Date()
        // 1. Validate the configuration before anything is written (the seed stages are opened after the no-op memo).
        let workspaces = try workspaces(names)
        // 2. The lock, then what a run that died left behind, then this run's record.
        let lock = try await FarmLock.acquire(directory: settings.state.path, command: options.command.rawValue,
                                              wait: options.wait) { events(.waitingForLock($0)) }
        defer { withExtendedLifetime(lock) {} }
        // Portage's gpg started an agent for the farm's signing home (a home of the farm's own): it ends with the run.
        defer { if let key = workspaces.first?.signingKey { GnuPG.stopAgent(home: key.home.path) } }
        let store = try openStore()
        let recovery = try recoverDeadRun(store: store, holder: lock.previous)
        if !recovery.isEmpty { events(.recovered(recovery)) }
        let run = try store.beginRun(command: options.command.rawValue, classes: workspaces.map(\.nodeClass.rawValue),
                                     pid: Int(getpid()), host: ProcessInfo.processInfo.hostName)
        let board = StatusBoard(path: statusFile, run: run, command: options.command.rawValue, started: started)
        let report: @Sendable (FarmEvent) -> Void = { event in board.handle(event); events(event) }
        do {
            var summary = try await LocalTransport.$runMarker.withValue(runMarker(run)) {
                try await steps(workspaces, run: run, options: options, store: store, recovered: !recovery.isEmpty, events: report)
            }
            summary.run = run
            summary.command = options.command.rawValue
            summary.recovery = recovery.isEmpty ? nil : recovery
            summary.seconds = Date().timeIntervalSince(started)
            try store.finishRun(run, succeeded: summary.succeeded, summary: try Self.json(summary))
            board.finish(summary)
            return summary
        } catch {
            try? store.finishRun(run, succeeded: false, summary: nil, failure: "\(error)")
            board.finish(failure: "\(error)")
            throw error
        }
    }

    /// The steps of a run that holds the lock and has a run record.
    private func steps(_ configured: [ClassWorkspace], run: Int64, options: RunOptions, store: FarmStore, recovered: Bool,
                       events: @escaping @Sendable (FarmEvent) -> Void) async throws -> BuildSummary {
        let repositories = configured.first?.tree.repositories ?? []
        // 3. Nightly: the sync step; when it fails, nothing is planned and every root stays.
        var syncResult: SyncResult?
        if options.command == .nightly, options.sync, let command = settings.sync {
            let result = try await runSync(command, run: run)
            events(.synced(result))
            syncResult = result
            guard result.succeeded else {
                var summary = BuildSummary(classes: configured.map {
                    .init(nodeClass: $0.nodeClass, outcome: .failed(reason: "the sync step failed (log: \(result.log)); nothing was built"),
                          built: 0, failed: 0)
                }, seconds: 0)
                summary.sync = result
                return summary
            }
        }
        // 4. Pin: the repository states every class of this run plans, builds and assembles from.
        let inputs = try await repositories.asyncMap { try await RepositoryState.read($0) }
        try store.recordRunInputs(run, inputs: try Self.json(inputs))
        events(.pinned(run: run, inputs))

        // 5. The no-op memo: a class whose inputs are what they were when a run planned nothing for it is not planned
        //    again; the others get their seed stages opened, config roots written and directories made.
        let memo = NoOpMemo(settings: settings, repositories: inputs)
        let (remembered, keys, rest) = try await notPlanned(configured, memo: memo, store: store,
                                                      use: !options.replan && !recovered, events: events)
        guard !rest.isEmpty else {
            var summary = BuildSummary(classes: remembered, seconds: 0)
            summary.inputs = inputs
            summary.sync = syncResult
            return summary
        }
        let workspaces = try seeded(rest)
        try await prepare(workspaces, events: events)

        // 6. Plan every class; any planning error stops the run before a build.
        let planner = Planner(transport: LocalTransport())
        var plans = try await plan(workspaces, planner: planner, events: events) { try store.pendingRebuilds(class: $0) }

        // 7. Distfiles: one shared DISTDIR, each file verified against its Manifest.
        let distfiles = Distfiles(distdir: settings.distfiles.path, mirrors: settings.mirrors.map(\.path), repositories: repositories)
        let (needed, copied) = try distfiles.prepare(plans)
        if needed > 0 { events(.distfilesReady(count: needed, copied: copied)) }

        // 8. Index each PKGDIR; binpkgs damaged on disk or built for other flags are quarantined and their classes
        //    planned again.
        var replan: [ClassWorkspace] = []
        var damaged: [ClassName: [String]] = [:]
        for workspace in workspaces {
            let moved = try PkgdirKeeper(workspace: workspace, settings: settings, store: store).sweep()
            for item in moved {
                events(.warning("\(workspace.nodeClass): moved \(item.relativePath) to quarantine (\(item.reason)); it is rebuilt"))
                if item.cause == .damaged { damaged[workspace.nodeClass, default: []].append(item.cpv.description) }
            }
            if !moved.isEmpty { replan.append(workspace) }
        }
        if !replan.isEmpty {
            let again = try await plan(replan, planner: planner, events: events) { try store.pendingRebuilds(class: $0) }
            plans = (plans.filter { plan in !again.contains { $0.workspace.nodeClass == plan.workspace.nodeClass } } + again)
                .sorted { $0.workspace.nodeClass < $1.workspace.nodeClass }
            _ = try distfiles.prepare(again)
        }

        // 9. Build, package by package, in dependency order across all classes and workers; the class kernels and
        //    their modules are jobs of the same schedule, on any worker of their arch (KernelJobs).
        let kernelJobs = KernelJobs(directory: settings.state.appendingPathComponent("kernels").path, workspaces: workspaces, events: events)
        let scheduled = try await dispatch(plans, workspaces: workspaces, distfiles: distfiles, store: store, run: run,
                                           kernels: kernelJobs, verbose: options.verbose, events: events)
        let kernels = await kernelJobs.outcomes(scheduled)
        let statuses = scheduled.filter { !KernelJobs.isKernel($0.key) }

        // 10. The pin holds: a repository that changed under the run would give roots of two states.
        let moved = try await repositories.asyncMap { try await RepositoryState.read($0) }.filter { !inputs.contains($0) }
        let drift = moved.map { now in
            "repository \(now.repository) changed during the run (pinned \(inputs.first { $0.path == now.path }?.state ?? "?"), now \(now.state))"
        }

        // 11. Assemble and publish each class whose builds all succeeded; a failed class keeps its `current`.
        let assembler = Assembler(settings: settings, transport: LocalTransport(), store: store, run: run, events: events)
        var results: [BuildSummary.ClassResult] = []
        for plan in plans {
            let nodeClass = plan.workspace.nodeClass
            let mine = statuses.filter { $0.key.nodeClass == nodeClass || $0.key.nodeClass == ClassWorkspace.host && plan.hostSide.contains($0.key.cpv) }
            let built = mine.values.filter { $0 == .succeeded }.count
            let failed = mine.count - built
            var outcome: ClassOutcome
            if case .failure(let error) = kernels[nodeClass] {
                outcome = .failed(reason: "its kernel or a module did not build: \(error)")
            } else if failed > 0 {
                let names = mine.filter { $0.value != .succeeded }.map(\.key.cpv.description).sorted()
                outcome = .failed(reason: "\(failed) package(s) not built: \(names.joined(separator: ", "))")
            } else if !drift.isEmpty {
                outcome = .failed(reason: drift.joined(separator: "; ") + "; run again to build from one state")
            } else {
                do {
                    outcome = try await assembler.assemble(plan.workspace, kernel: try kernels[nodeClass]?.get())
                    if case .published = outcome, options.command == .build {
                        let pruned = try pruneGenerations(nodeClass, store: store)
                        if !pruned.isEmpty { events(.pruned(nodeClass, generations: pruned)) }
                    }
                } catch { outcome = .failed(reason: "\(error)") }
            }
            if case .failed(let reason) = outcome { events(.classFailed(nodeClass, reason: reason)) }
            var result = BuildSummary.ClassResult(nodeClass: nodeClass, outcome: outcome, built: built, failed: failed)
            result.reused = try reusedCount(outcome, nodeClass: nodeClass, built: mine.filter { $0.key.nodeClass == nodeClass && $0.value == .succeeded }.count, store: store)
            result.damaged = damaged[nodeClass] ?? []
            results.append(result)
            try await rememberIfNoOp(plan, outcome: outcome, damaged: !result.damaged.isEmpty, key: keys[nodeClass], memo: memo,
                               store: store, run: run)
        }
        results = (results + remembered).sorted { $0.nodeClass < $1.nodeClass }
        // 12. Nightly: generations beyond keep_generations and binpkgs no kept generation holds.
        var gc: GCReport?
        if options.command == .nightly {
            let report = try collectGarbage(workspaces + configured.filter { c in !workspaces.contains { $0.nodeClass == c.nodeClass } },
                                            store: store, dryRun: false)
            if !report.isEmpty { events(.collected(report)) }
            gc = report
        }
        // 13. Network boot: PXE labels, kernels and exports follow the new `current` links.
        if results.contains(where: { if case .published = $0.outcome { true } else { false } }) {
            do {
                if let report = try syncNetworkBoot() { events(.networkBoot(report)) }
            } catch {
                events(.warning("the roots are published, but the network-boot files were not rewritten: \(error)"))
            }
        }
        var summary = BuildSummary(classes: results, seconds: 0)
        summary.inputs = inputs
        summary.sync = syncResult
        summary.gc = gc
        summary.workers = try workerResults(run: run, store: store)
        return summary
    }

    /// Plans classes concurrently; `pending` gives each class's quarantined packages to rebuild.
    func plan(_ workspaces: [ClassWorkspace], planner: Planner, events: @escaping @Sendable (FarmEvent) -> Void,
                      pending: (ClassName) throws -> [QuarantineRecord]) async throws -> [ClassPlan] {
        let reinstall = try Dictionary(uniqueKeysWithValues: workspaces.map { workspace in
            (workspace.nodeClass, try pending(workspace.nodeClass).compactMap { CPV($0.cpv) })
        })
        return try await withThrowingTaskGroup(of: ClassPlan.self) { group in
            for workspace in workspaces {
                group.addTask {
                    events(.planning(workspace.nodeClass))
                    let plan = try await planner.plan(workspace, reinstall: reinstall[workspace.nodeClass] ?? [])
                    KillPoint.reach("planned")
                    events(.planned(workspace.nodeClass, toBuild: plan.toBuild.map(\.cpv), emptyTree: plan.emptyTree))
                    return plan
                }
            }
            return try await group.reduce(into: [ClassPlan]()) { $0.append($1) }
        }.sorted { $0.workspace.nodeClass < $1.workspace.nodeClass }
    }

    /// One build job per planned package; host-side (build-only) packages once for all classes.
    static func jobs(for plans: [ClassPlan], store: FarmStore?) throws -> [BuildJob] {
        var jobs: [JobID: BuildJob] = [:]
        let past = try store?.meanBuildSeconds() ?? [:]
        for plan in plans {
            for entry in plan.toBuild {
                let job = BuildJob(id: plan.jobID(entry.cpv), arch: plan.workspace.profile.arch.rawValue,
                                   dependencies: Set((plan.dependencies[entry.cpv] ?? []).map(plan.jobID)),
                                   estimatedSeconds: past[entry.cpv.cp] ?? 10)
                jobs[job.id, default: job].dependencies.formUnion(job.dependencies)
            }
        }
        return jobs.values.sorted { $0.id < $1.id }
    }
}
