import Binpkg
import FarmModel
import Foundation
import Portage
import Scheduler
import Workers

extension EmergeBuildExecutor {
    /// Builds on a remote worker: gives it what the build needs, runs emerge there with the log streamed to the
    /// coordinator, brings the binpkg back verified, and installs it into the coordinator's staging root
    /// (or host side), so the next plan and every other worker see it.
    func buildRemotely(_ job: BuildJob, on site: WorkerSite, workspace: ClassWorkspace, isHost: Bool, logPath: String,
                       onLine: @escaping @Sendable (String) -> Void) async throws -> (CommandResult, String?) {
        let cpv = job.id.cpv
        let tree = site.tree(for: workspace)
        try await sync.prepare(site, workspace, cpv: cpv, distfiles: distfiles[job.id] ?? [], host: isHost)
        let seeded = try await sync.seedBuildID(site, workspace, cpv: cpv, host: isHost)
        let tmpdir = (tree.tmpdir as NSString).appendingPathComponent("\(cpv.category)/\(cpv.pf)")
        _ = try await site.transport.shell("rm -rf \(Command.shellQuoted(tmpdir)) && mkdir -p \(Command.shellQuoted(tmpdir))")
        let command = isHost ? tree.hostBuildCommand(cpv: cpv, tmpdir: tmpdir) : tree.buildCommand(cpv: cpv, tmpdir: tmpdir)
        let result = try await site.transport.run(command, logPath: logPath, onLine: onLine)
        _ = try? await site.transport.shell("rm -rf \(Command.shellQuoted(tmpdir))")
        guard result.termination.succeeded else { return (result, nil) }
        let binpkg = try await sync.fetchBuilt(site, workspace, cpv: cpv, host: isHost, newerThan: seeded)
        try await adopt(binpkg, cpv: cpv, workspace: workspace, isHost: isHost, logPath: logPath)
        return (result, binpkg)
    }

    /// Checks a binpkg that came back from a worker, indexes it and installs it on the coordinator.
    /// A binpkg that fails a check is deleted: a partial or foreign binpkg never stays in a PKGDIR.
    private func adopt(_ binpkg: String, cpv: CPV, workspace: ClassWorkspace, isHost: Bool, logPath: String) async throws {
        let url = URL(fileURLWithPath: binpkg)
        var problems = BinpkgHealth.problems(of: url, entry: nil, signedBy: workspace.signingKey)
        if problems.isEmpty, !isHost {
            problems = workspace.binpkgCheck.incompatibilities(try BinpkgFile.metadata(of: url), cpv: cpv).map(\.description)
        }
        guard problems.isEmpty else {
            try? FileManager.default.removeItem(at: url)
            throw FarmError(problem: "the binpkg of \(cpv) that came back from the worker is not usable: \(problems.joined(separator: "; "))",
                            fix: "check the worker's Portage and the class make.conf; the build is retried elsewhere")
        }
        let pkgdir = isHost ? workspace.tree.hostPkgdir : workspace.tree.pkgdir
        _ = try await indexing.run(pkgdir) { try PkgdirIndexer(pkgdir: URL(fileURLWithPath: pkgdir)).regenerate() }
        let install = isHost ? workspace.tree.hostInstallCommand(cpvs: [cpv]) : workspace.tree.installIntoStagingCommand(cpvs: [cpv])
        let result = try await LocalTransport().run(install, logPath: logPath, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "installing the worker's binpkg of \(cpv) on the coordinator ended with \(result.termination) (log: \(logPath))",
                            fix: "read the log; the binpkg stays in the PKGDIR and the next build installs it again")
        }
    }
}
