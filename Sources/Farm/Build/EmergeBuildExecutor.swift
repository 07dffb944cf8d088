import FarmConfig
import Foundation
import Binpkg
import CPU
import FarmModel
import Portage
import Scheduler
import Store
import Workers

/// Builds one package with the real `emerge --buildpkg` on a worker and records its provenance.
struct EmergeBuildExecutor: BuildExecutor {
    let workspaces: [ClassName: ClassWorkspace]
    /// Where host-side (build-only) packages' logs go.
    let hostLogs: String
    let sites: [String: WorkerSite]
    /// Each job's distfiles and their Manifest entries, for remote workers.
    let distfiles: [JobID: [(String, Manifest.Entry)]]
    let sync: WorkerSync
    /// Per class, what each worker's CPU lacks to run the class's code (for SIGILL reports).
    let lacking: [ClassName: [String: [ISAFeature]]]
    let store: FarmStore
    /// The run the builds belong to.
    let run: Int64?
    let settings: FarmSettings
    /// Serialises index updates per PKGDIR.
    let indexing = SerialQueue()
    let verbose: Bool
    let events: @Sendable (FarmEvent) -> Void
    /// The class kernels' jobs, run here when the scheduler places one.
    var kernels: KernelJobs? = nil

    func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome {
        if KernelJobs.isKernel(job.id), let kernels { return await kernels.execute(job, on: sites[worker]) }
        let isHost = job.id.nodeClass == ClassWorkspace.host
        guard let workspace = isHost ? workspaces.values.sorted(by: { $0.nodeClass < $1.nodeClass }).first : workspaces[job.id.nodeClass],
              let site = sites[worker] else {
            throw InternalError("no workspace or worker for \(job.id) on \(worker)")
        }
        let cpv = job.id.cpv
        let started = Date()
        let stamp = Self.stamp(started)
        let logPath = ((isHost ? hostLogs : workspace.logsDirectory) as NSString).appendingPathComponent("\(cpv.category)/\(cpv.pf)-\(stamp).log")
        let buildID = try store.recordBuildStarted(class: job.id.nodeClass, cpv: cpv, worker: worker, logPath: logPath, run: run, at: started)
        events(.buildStarted(job.id.nodeClass, cpv, worker: worker))
        let nodeClass = job.id.nodeClass
        let events = self.events
        let verbose = self.verbose
        let onLine: @Sendable (String) -> Void = { line in
            KillPoint.reach("build-output")
            if verbose { events(.buildOutput(nodeClass, cpv, line: line)) }
        }
        // Whatever happens below, the build row is finished and the event is sent.
        do {
            let (result, binpkg) = site.isCoordinator
                ? try await buildHere(job, workspace: workspace, isHost: isHost, logPath: logPath, onLine: onLine)
                : try await buildRemotely(job, on: site.forArch(workspace.profile.arch), workspace: workspace, isHost: isHost, logPath: logPath, onLine: onLine)
            guard result.termination.succeeded, let binpkg else {
                if Self.diedOfIllegalInstruction(result.termination, logPath: logPath) {
                    let lacks = lacking[job.id.nodeClass]?[worker].map { ", which lacks \($0.map(\.rawValue).joined(separator: " "))" } ?? ""
                    let reason = "died of SIGILL (illegal instruction) on worker \(worker)\(lacks): code built for \(job.id.nodeClass) ran during the build (log: \(logPath))"
                    try finishFailed(buildID, job: job, worker: worker, started: started, logPath: logPath,
                                     termination: result.termination, reason: reason)
                    return .illegalInstruction(reason: reason)
                }
                let reason = "`emerge` ended with \(result.termination): \(result.tail.last ?? "") (log: \(logPath))"
                try finishFailed(buildID, job: job, worker: worker, started: started, logPath: logPath,
                                 termination: result.termination, reason: reason)
                return .failed(reason: reason)
            }
            KillPoint.reach("build-emerged")
            try store.recordBuildSucceeded(buildID, binpkg: try .describe(binpkg))
            KillPoint.reach("build-recorded")
            events(.buildFinished(job.id.nodeClass, cpv, worker: worker, succeeded: true,
                                  seconds: Date().timeIntervalSince(started), logPath: logPath))
            return .succeeded
        } catch let error as any WorkerLossError where error.isWorkerLost {
            let reason = "worker \(worker) was lost: \(error)"
            try? finishFailed(buildID, job: job, worker: worker, started: started, logPath: logPath, termination: nil, reason: reason)
            return .workerLost(reason: reason)
        } catch {
            try? finishFailed(buildID, job: job, worker: worker, started: started, logPath: logPath,
                              termination: nil, reason: "\(error)")
            throw error
        }
    }

    /// Builds on the coordinator, in the class's own staging root and PKGDIR.
    private func buildHere(_ job: BuildJob, workspace: ClassWorkspace, isHost: Bool, logPath: String,
                           onLine: @escaping @Sendable (String) -> Void) async throws -> (CommandResult, String?) {
        let cpv = job.id.cpv
        let tmpdir = (workspace.tree.tmpdir as NSString).appendingPathComponent("\(cpv.category)/\(cpv.pf)")
        try FileManager.default.createDirectory(atPath: tmpdir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmpdir) }
        let command = isHost ? workspace.tree.hostBuildCommand(cpv: cpv, tmpdir: tmpdir)
                             : workspace.tree.buildCommand(cpv: cpv, tmpdir: tmpdir)
        let result = try await LocalTransport().run(command, logPath: logPath, onLine: onLine)
        let pkgdir = isHost ? workspace.tree.hostPkgdir : workspace.tree.pkgdir
        for empty in BinpkgInstances.removeEmpty(pkgdir: pkgdir, cpv: cpv) {
            events(.warning("\(job.id): removed \(empty) from \(pkgdir): emerge left it empty (log: \(logPath))"))
        }
        guard result.termination.succeeded else { return (result, nil) }
        return (result, try Self.newestBinpkg(pkgdir: pkgdir, cpv: cpv))
    }

    private func finishFailed(_ buildID: Int64, job: BuildJob, worker: String, started: Date, logPath: String,
                              termination: Termination?, reason: String) throws {
        var exitStatus: Int?
        var signal: Int?
        switch termination {
        case .exited(let code): exitStatus = Int(code)
        case .signaled(let number): signal = Int(number)
        case nil: break
        }
        try store.recordBuildFailed(buildID, exitStatus: exitStatus, signal: signal, reason: reason)
        events(.buildFinished(job.id.nodeClass, job.id.cpv, worker: worker, succeeded: false,
                              seconds: Date().timeIntervalSince(started), logPath: logPath))
    }

    /// True when the build was killed by SIGILL, or its log (last 1 MiB) shows a program that was:
    /// bash reports "Illegal instruction" for a child killed by signal 4.
    static func diedOfIllegalInstruction(_ termination: Termination, logPath: String) -> Bool {
        if termination == .signaled(4) { return true }
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return false }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 1 << 20 ? size - (1 << 20) : 0)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return text.contains("Illegal instruction")
    }

    /// The binpkg instance with the highest build id for `cpv` in a multi-instance PKGDIR.
    static func newestBinpkg(pkgdir: String, cpv: CPV) throws -> String {
        guard let newest = BinpkgInstances.local(pkgdir: pkgdir, cpv: cpv).last else {
            throw FarmError(problem: "emerge reported success for \(cpv) but left no binpkg in \(pkgdir)/\(BinpkgInstances.directory(cpv))",
                            fix: "check that FEATURES in the class make.conf does not turn off binpkg-multi-instance or buildpkg")
        }
        return (pkgdir as NSString).appendingPathComponent("\(BinpkgInstances.directory(cpv))/\(newest.name)")
    }

    /// The time stamp in a build log's name (UTC).
    static func stamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}
