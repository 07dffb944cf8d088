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
        let (workspaces, lock) = try openWorkspaces(names)
        defer { withExtendedLifetime(lock) {} }
        let repositories = workspaces.first?.tree.repositories ?? []

        // 2. Plan every class; any planning error stops the run before a build or a store write.
        let planner = Planner(transport: LocalTransport())
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

        // 4. Build, package by package, in dependency order across all classes and workers; the class kernels and
        //    their modules meanwhile on the coordinator.
        try store.recordInterruptedBuilds()
        let kernelBuilds = Task { await buildKernels(workspaces, events: events) }
        defer { kernelBuilds.cancel() }
        let statuses = try await dispatch(plans, workspaces: workspaces, distfiles: distfiles, store: store,
                                          verbose: verbose, events: events)
        let kernels = await kernelBuilds.value

        // 5. Assemble and publish each class whose builds all succeeded; a failed class keeps its `current`.
        let assembler = Assembler(settings: settings, transport: LocalTransport(), store: store, events: events)
        var results: [BuildSummary.ClassResult] = []
        for plan in plans {
            let nodeClass = plan.workspace.nodeClass
            let hostNeeds = Set(plan.toBuild.filter { $0.root == nil }.map(\.cpv))
            let mine = statuses.filter { $0.key.nodeClass == nodeClass || $0.key.nodeClass == ClassWorkspace.host && hostNeeds.contains($0.key.cpv) }
            let built = mine.values.filter { $0 == .succeeded }.count
            let failed = mine.count - built
            var outcome: ClassOutcome
            if case .failure(let error) = kernels[nodeClass] {
                outcome = .failed(reason: "its kernel or a module did not build: \(error)")
            } else if failed > 0 {
                let names = mine.filter { $0.value != .succeeded }.map(\.key.cpv.description).sorted()
                outcome = .failed(reason: "\(failed) package(s) not built: \(names.joined(separator: ", "))")
            } else {
                do {
                    outcome = try await assembler.assemble(plan.workspace, kernel: try kernels[nodeClass]?.get())
                    if case .published = outcome {
                        let pruned = try pruneGenerations(nodeClass, store: store)
                        if !pruned.isEmpty { events(.pruned(nodeClass, generations: pruned)) }
                    }
                } catch { outcome = .failed(reason: "\(error)") }
            }
            if case .failed(let reason) = outcome { events(.classFailed(nodeClass, reason: reason)) }
            results.append(.init(nodeClass: nodeClass, outcome: outcome, built: built, failed: failed))
        }
        // 6. Network boot: PXE labels, kernels and exports follow the new `current` links.
        if results.contains(where: { if case .published = $0.outcome { true } else { false } }) {
            do {
                if let report = try syncNetworkBoot() { events(.networkBoot(report)) }
            } catch {
                events(.warning("the roots are published, but the network-boot files were not rewritten: \(error)"))
            }
        }
        return BuildSummary(classes: results, seconds: Date().timeIntervalSince(started))
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
        for plan in plans {
            let nodeClass = plan.workspace.nodeClass
            let hostSide = Set(plan.toBuild.filter { $0.root == nil }.map(\.cpv))
            func id(_ cpv: CPV) -> JobID { JobID(hostSide.contains(cpv) ? ClassWorkspace.host : nodeClass, cpv) }
            for entry in plan.toBuild {
                let job = BuildJob(id: id(entry.cpv), arch: plan.workspace.profile.arch.rawValue,
                                   dependencies: Set((plan.dependencies[entry.cpv] ?? []).map(id)),
                                   estimatedSeconds: try store?.meanBuildSeconds(cp: entry.cpv.cp) ?? 10)
                jobs[job.id, default: job].dependencies.formUnion(job.dependencies)
            }
        }
        return jobs.values.sorted { $0.id < $1.id }
    }
}
