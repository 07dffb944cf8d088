import CPU
import FarmConfig
import FarmModel
import Foundation
import Portage
import Scheduler
import Store
import Workers

/// `farmctl plan`: what a build would do, where and in which order, without building or connecting.
public struct PlanPreview: Sendable, Encodable {
    /// One package build as it would be placed.
    public struct Step: Sendable, Encodable {
        public var order: Int
        public var `class`: String
        public var cpv: String
        public var worker: String
        /// Estimated start and duration (seconds; past builds' mean, else an estimate), as simulated.
        public var startSeconds: Double
        public var seconds: Double
        /// Why each other worker would not take it (arch, CPU, or busy / slower at that moment).
        public var notElsewhere: [String: String]
    }
    public var steps: [Step] = []
    /// Builds no worker can take, with the reason.
    public var unbuildable: [String: String] = [:]
    /// Estimated wall time of all builds.
    public var makespanSeconds: Double = 0
}

extension Farm {
    /// Plans the classes with emerge (as `build` does) and simulates the schedule on workers.conf's workers,
    /// using the CPUs recorded at the last build (workers are not contacted).
    public func previewPlan(classes names: [String], events: @escaping @Sendable (FarmEvent) -> Void) async throws -> PlanPreview {
        let workspaces = try seeded(try workspaces(names))
        let lock = try FarmLock.take(directory: settings.state.path, command: "plan")
        defer { withExtendedLifetime(lock) {} }
        try await prepare(workspaces, events: events)
        let store = FileManager.default.fileExists(atPath: settings.database.path) ? try openStore() : nil
        let plans = try await plan(workspaces, planner: Planner(transport: LocalTransport()), events: events) {
            try store?.pendingRebuilds(class: $0) ?? []
        }
        var cpus: [String: CPUDescription] = [:]
        for worker in settings.workers {
            if let text = try store?.workerCPU(worker.name)?.cpuinfo { cpus[worker.name] = try? CPUDescription(parsing: text, source: worker.name) }
        }
        let placement = BuildHosts(cpus: cpus).placements(for: workspaces.map(\.profile))
        let lacking = placement.mapValues(\.lacking)
        // With no CPU recorded yet, nothing is known about runners: place by arch only.
        let jobs = cpus.isEmpty ? try Self.jobs(for: plans, store: store) : BuildHosts.place(try Self.jobs(for: plans, store: store), placement)
        let slots = settings.workers.map { WorkerSlots(worker: $0) }
        let simulation = ScheduleSimulation(jobs: jobs, workers: slots)
        var preview = PlanPreview(makespanSeconds: simulation.makespan)
        for (index, placement) in simulation.placements.enumerated() {
            var others: [String: String] = [:]
            for worker in settings.workers where worker.name != placement.worker {
                let job = placement.job
                if !worker.arches.map(\.rawValue).contains(job.arch) {
                    others[worker.name] = "does not build \(job.arch)"
                } else if let lacks = lacking[job.id.nodeClass]?[worker.name], job.runners != nil {
                    others[worker.name] = "its CPU lacks \(lacks.map(\.rawValue).joined(separator: " ")), which \(job.id.nodeClass) code needs"
                        + (job.runnersOnly ? " (strict_build_hosts)" : "")
                } else {
                    others[worker.name] = "busy or slower at that moment"
                }
            }
            preview.steps.append(.init(order: index + 1, class: placement.job.id.nodeClass.rawValue, cpv: placement.job.id.cpv.description,
                                       worker: placement.worker, startSeconds: placement.start,
                                       seconds: placement.end - placement.start, notElsewhere: others))
        }
        for (id, status) in simulation.statuses {
            if case .failed(let reason) = status { preview.unbuildable[id.description] = reason }
        }
        return preview
    }
}
