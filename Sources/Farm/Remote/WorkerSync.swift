import Binpkg
import Digests
import FarmModel
import Foundation
import Portage
import Workers

/// Gives remote workers what a build needs, each thing once per run and never twice over the wire:
/// the repositories and the class's config, the package's distfiles (verified against its Manifest), and a
/// staging root holding what the coordinator's staging root holds (installed from the class PKGDIR's binpkgs).
actor WorkerSync {
    let distdir: String
    let hostPkgdir: String
    let logs: String
    /// The farm's state directory (the Portage wheel for build roots is under it).
    let state: URL
    let queue = SerialQueue()
    var done: Set<String> = []
    /// Worker → distfiles verified there.
    var distfilesOn: [String: Set<String>] = [:]
    /// "worker|class" → installed "cat/pf" → build id; class `_host` for the worker's host side.
    var installed: [String: [String: Int]] = [:]
    /// "worker|class" → binpkgs present in the worker's PKGDIR of the class, relative paths.
    var files: [String: Set<String>] = [:]
    /// Worker → its Portage's host-side EROOT.
    var hostRoots: [String: String] = [:]

    init(distdir: String, hostPkgdir: String, logs: String, state: URL) {
        self.state = state
        self.distdir = distdir
        self.hostPkgdir = hostPkgdir
        self.logs = logs
    }

    /// Everything a build of `cpv` for `workspace` needs on `site`, before it starts.
    func prepare(_ site: WorkerSite, _ workspace: ClassWorkspace, cpv: CPV, distfiles: [(String, Manifest.Entry)], host: Bool) async throws {
        try await once("repos|\(site.key)") { try await self.pushRepositories(site, workspace) }
        try await once("config|\(site.key)|\(workspace.nodeClass)") { try await self.pushConfig(site, workspace) }
        if let signing = workspace.tree.signing, !site.isCoordinator {
            try await once("signing|\(site.key)") { try await self.pushSigning(site, signing) }
        }
        try await queue.run("distfiles|\(site.key)") { try await self.pushDistfiles(site, distfiles) }
        try await queue.run("host|\(site.key)") { try await self.mirrorHost(site, workspace) }
        if !host, workspace.tree.buildsInChroot {
            try await once("buildroot|\(site.key)|\(workspace.nodeClass)") { try await self.makeBuildRoot(site, workspace) }
        }
        if !host {
            try await queue.run("staging|\(site.key)|\(workspace.nodeClass)") { try await self.mirrorStaging(site, workspace) }
        }
        try await seedBuildID(site, workspace, cpv: cpv, host: host)
    }

    private func once(_ key: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await queue.run(key) {
            guard await !self.isDone(key) else { return }
            try await body()
            await self.markDone(key)
        }
    }
    private func isDone(_ key: String) -> Bool { done.contains(key) }
    private func markDone(_ key: String) { done.insert(key) }

    // MARK: repositories and config

    private func pushRepositories(_ site: WorkerSite, _ workspace: ClassWorkspace) async throws {
        for repository in workspace.tree.repositories {
            let stamp = try TreeDigest.metadataStamp(repository.location)
            let target = site.repository(repository.name)
            let current = try await site.transport.shell("cat \(Command.shellQuoted(target + ".stamp")) 2>/dev/null; true")
            guard current.trimmingCharacters(in: .whitespacesAndNewlines) != stamp else { continue }
            let archive = NSTemporaryDirectory() + "farmctl-repo-\(repository.name)-\(UUID().uuidString).tar.gz"
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let tar = try await LocalTransport().run(Command("tar", ["-C", repository.location, "-czf", archive, "."]))
            guard tar.termination.succeeded else {
                throw FarmError(problem: "cannot archive repository \(repository.location): \(tar.tail.joined(separator: " "))",
                                fix: "check that the repository is readable")
            }
            let remoteArchive = target + ".tar.gz"
            try await site.upload(archive, to: remoteArchive)
            let t = Command.shellQuoted(target)
            _ = try await site.transport.shell("rm -rf \(t).new && mkdir -p \(t).new && tar -xzf \(Command.shellQuoted(remoteArchive)) -C \(t).new"
                + " && rm -rf \(t) && mv \(t).new \(t) && rm -f \(Command.shellQuoted(remoteArchive)) && echo \(stamp) > \(Command.shellQuoted(target + ".stamp"))")
        }
    }

    private func pushConfig(_ site: WorkerSite, _ workspace: ClassWorkspace) async throws {
        let tree = site.tree(for: workspace)
        let local = (workspace.tree.configRoot as NSString).appendingPathComponent("etc/portage")
        let profile = workspace.profile.portageProfile
        let target = (site.repository(profile.repository) as NSString).appendingPathComponent("profiles/\(profile.path)")
        let root = Command.shellQuoted(tree.configRoot)
        let dirs = [tree.pkgdir, tree.stagingRoot, tree.tmpdir, tree.logdir, tree.hostPkgdir, tree.distdir].map(Command.shellQuoted).joined(separator: " ")
        _ = try await site.transport.shell("rm -rf \(root).new && mkdir -p \(root).new/etc/portage \(dirs)"
            + " && ln -s \(Command.shellQuoted(target)) \(root).new/etc/portage/make.profile")
        for name in try FileManager.default.contentsOfDirectory(atPath: local) where name != "make.profile" {
            try await site.upload((local as NSString).appendingPathComponent(name), to: tree.configRoot + ".new/etc/portage/\(name)")
        }
        _ = try await site.transport.shell("rm -rf \(root).old; if [ -e \(root) ]; then mv \(root) \(root).old; fi; mv \(root).new \(root) && rm -rf \(root).old")
    }

    /// Sends the signing and trust homes (without the agent's sockets), replacing the worker's copies; the
    /// signing home stays readable by the worker's user only.
    private func pushSigning(_ site: WorkerSite, _ signing: BinpkgSigning) async throws {
        for (local, remote) in [(signing.gpgHome, site.signingHome), (signing.verifyHome, site.verifyHome)] {
            let archive = NSTemporaryDirectory() + "farmctl-gnupg-\(UUID().uuidString).tar"
            defer { try? FileManager.default.removeItem(atPath: archive) }
            let tar = try await LocalTransport().run(Command("tar", ["-C", local, "--exclude=S.*", "--exclude=*.lock", "-cf", archive, "."]))
            guard tar.termination.succeeded else {
                throw FarmError(problem: "cannot archive the GnuPG home \(local): \(tar.tail.joined(separator: " "))",
                                fix: "check that \(local) is readable by farmctl's user")
            }
            let r = Command.shellQuoted(remote)
            try await site.upload(archive, to: remote + ".tar")
            _ = try await site.transport.shell("umask 077 && rm -rf \(r).new && mkdir -p \(r).new && tar -xf \(r).tar -C \(r).new && chmod 700 \(r).new"
                + " && rm -f \(r).tar && rm -rf \(r) && mv -T \(r).new \(r)")
        }
    }

    // MARK: distfiles

    private func pushDistfiles(_ site: WorkerSite, _ wanted: [(String, Manifest.Entry)]) async throws {
        let missing = wanted.filter { !(distfilesOn[site.key]?.contains($0.0) ?? false) }
        guard !missing.isEmpty else { return }
        let remote = { (name: String) in (site.distdir as NSString).appendingPathComponent(name) }
        var there = try await site.transport.sha512(missing.map { remote($0.0) })
        for (name, entry) in missing where there[remote(name)] != entry.hash(.sha512) {
            try await site.upload((distdir as NSString).appendingPathComponent(name), to: remote(name))
            there[remote(name)] = try await site.transport.sha512([remote(name)])[remote(name)]
            guard there[remote(name)] == entry.hash(.sha512) else {
                throw FarmError(problem: "distfile \(name) on worker \(site.key) does not match its Manifest (\(entry.location)) after the upload",
                                fix: "check the worker's disk and \(site.distdir)")
            }
        }
        distfilesOn[site.key, default: []].formUnion(missing.map(\.0))
    }
}

