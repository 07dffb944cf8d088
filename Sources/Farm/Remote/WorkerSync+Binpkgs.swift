import FarmModel
import Binpkg
import Foundation
import Portage
import Workers

extension WorkerSync {
    /// Where one side of a worker keeps packages: its class staging root, or its Portage's host side.
    struct Side: Sendable {
        /// "worker|class" (class `_host` for the host side).
        let key: String
        let localPkgdir: String
        let remotePkgdir: String
        let remoteVardb: String
    }

    func side(_ site: WorkerSite, _ workspace: ClassWorkspace, host: Bool) async throws -> Side {
        let tree = site.tree(for: workspace)
        guard host else {
            return Side(key: "\(site.key)|\(workspace.nodeClass)", localPkgdir: workspace.tree.pkgdir,
                        remotePkgdir: tree.pkgdir, remoteVardb: VarDB.path(ofRoot: tree.stagingRoot))
        }
        if hostRoots[site.key] == nil {
            // The worker's Portage installs build-only tools into its own prefix: a venv's, else /.
            let emerge = Command.shellQuoted(tree.emerge)
            let root = try await site.transport.shell(
                "e=$(command -v \(emerge) || echo \(emerge)); d=$(dirname \"$(dirname \"$e\")\"); if [ -f \"$d/pyvenv.cfg\" ]; then echo \"$d\"; else echo /; fi")
            hostRoots[site.key] = root.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return Side(key: "\(site.key)|\(ClassWorkspace.host)", localPkgdir: hostPkgdir, remotePkgdir: tree.hostPkgdir,
                    remoteVardb: VarDB.path(ofRoot: hostRoots[site.key] ?? "/"))
    }

    /// Installs into the worker's staging root every package the coordinator's staging root holds and it lacks.
    func mirrorStaging(_ site: WorkerSite, _ workspace: ClassWorkspace) async throws {
        let canonical = VarDB.installed(VarDB.path(ofRoot: workspace.tree.stagingRoot))
        let side = try await side(site, workspace, host: false)
        try await mirror(site, side, canonical: canonical, install: site.tree(for: workspace).installIntoStagingCommand)
    }

    /// Installs on the worker's host side the build-only tools the coordinator's host side holds from farm builds.
    func mirrorHost(_ site: WorkerSite, _ workspace: ClassWorkspace) async throws {
        let canonical = VarDB.installed(VarDB.path(ofRoot: ClassTree.hostRoot(emerge: workspace.tree.emerge)))
        let side = try await side(site, workspace, host: true)
        try await mirror(site, side, canonical: canonical, install: site.tree(for: workspace).hostInstallCommand)
    }

    private func mirror(_ site: WorkerSite, _ side: Side, canonical: [String: Int], install: ([CPV]) -> Command) async throws {
        let there = try await remoteInstalled(site, side)
        // Only packages the farm built (their binpkg is in our PKGDIR): a coordinator's own system stays its own.
        let wanted = canonical.filter { there[$0.key] != $0.value }
            .compactMap { cpf, id in BinpkgInstances.existing(pkgdir: side.localPkgdir, cpf: cpf, id: id).map { (cpf, id, $0) } }
            .sorted { $0.0 < $1.0 }
        guard !wanted.isEmpty else { return }
        for (_, _, relative) in wanted { try await push(site, side, relative) }
        let log = (logs as NSString).appendingPathComponent("sync-\(site.name).log")
        let result = try await site.transport.run(install(wanted.compactMap { CPV($0.0) }), logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "worker \(site.key): installing \(wanted.count) dependency binpkg(s) into \(side.remoteVardb)/../../.. ended with \(result.termination); log: \(log)",
                            fix: "read the log; the worker's Portage must be able to install the class's binpkgs")
        }
        for (cpf, id, _) in wanted { installed[side.key, default: [:]][cpf] = id }
    }

    private func remoteInstalled(_ site: WorkerSite, _ side: Side) async throws -> [String: Int] {
        if let known = installed[side.key] { return known }
        let listing = try await site.transport.shell(
            "cd \(Command.shellQuoted(side.remoteVardb)) 2>/dev/null || exit 0; for d in */*; do [ -d \"$d\" ] && echo \"$d $(cat \"$d/BUILD_ID\" 2>/dev/null)\"; done; true")
        let result = VarDB.parseListing(listing)
        installed[side.key] = result
        return result
    }

    /// Uploads a binpkg from the coordinator's PKGDIR to the worker's, unless the worker has it.
    private func push(_ site: WorkerSite, _ side: Side, _ relative: String) async throws {
        if files[side.key] == nil {
            let listing = try await site.transport.shell(
                "cd \(Command.shellQuoted(side.remotePkgdir)) 2>/dev/null || exit 0; find . -name '*.xpak' -o -name '*.gpkg.tar' -o -name '*.tbz2'")
            files[side.key] = Set(listing.split(separator: "\n").map { String($0.dropFirst(2)) })
        }
        guard !(files[side.key]?.contains(relative) ?? false) else { return }
        try await site.upload((side.localPkgdir as NSString).appendingPathComponent(relative),
                                        to: (side.remotePkgdir as NSString).appendingPathComponent(relative))
        files[side.key, default: []].insert(relative)
    }

    /// Makes the worker's Portage number its next instance of `cpv` above the coordinator's newest (Portage
    /// numbers instances from the PKGDIR it sees): the newest one is copied over when the worker lacks it.
    /// Returns that build id (0: none).
    @discardableResult
    func seedBuildID(_ site: WorkerSite, _ workspace: ClassWorkspace, cpv: CPV, host: Bool) async throws -> Int {
        let side = try await side(site, workspace, host: host)
        guard let newest = BinpkgInstances.local(pkgdir: side.localPkgdir, cpv: cpv).last else { return 0 }
        try await queue.run("push|\(side.key)") {
            try await self.push(site, side, "\(BinpkgInstances.directory(cpv))/\(newest.name)")
        }
        return newest.id
    }

    /// Brings the binpkg a worker just built back into the coordinator's PKGDIR (verified), returns its path.
    func fetchBuilt(_ site: WorkerSite, _ workspace: ClassWorkspace, cpv: CPV, host: Bool, newerThan seeded: Int) async throws -> String {
        let side = try await side(site, workspace, host: host)
        let directory = BinpkgInstances.directory(cpv)
        let listing = try await site.transport.shell("ls -1 \(Command.shellQuoted((side.remotePkgdir as NSString).appendingPathComponent(directory))) 2>/dev/null; true")
        guard let built = BinpkgInstances.parse(listing.split(separator: "\n").map(String.init), cpv: cpv).last, built.id > seeded else {
            throw FarmError(problem: "emerge reported success for \(cpv) on worker \(site.key) but left no new binpkg in \(side.remotePkgdir)/\(directory)",
                            fix: "check that FEATURES in the class make.conf does not turn off binpkg-multi-instance or buildpkg")
        }
        let relative = "\(directory)/\(built.name)"
        let target = (side.localPkgdir as NSString).appendingPathComponent(relative)
        guard !FileManager.default.fileExists(atPath: target) else {
            throw FarmError(problem: "worker \(site.key) built \(relative), but \(target) exists already on the coordinator",
                            fix: "run `farmctl binpkg verify` on the class; this happens only when PKGDIRs were edited by hand")
        }
        try await site.download((side.remotePkgdir as NSString).appendingPathComponent(relative), to: target)
        files[side.key, default: []].insert(relative)
        installed[side.key, default: [:]]["\(cpv.category)/\(cpv.pf)"] = built.id
        return target
    }
}
