import Digests
import Foundation
import Kernels
import Binpkg
import FarmConfig
import FarmModel
import Portage
import Store
import Workers

/// Assembles a class's new root generation from its binpkgs and publishes it through `current`.
struct Assembler: Sendable {
    let settings: FarmSettings
    let transport: any WorkerTransport
    let store: FarmStore
    /// The run assembling (recorded with each generation).
    var run: Int64? = nil
    let events: @Sendable (FarmEvent) -> Void

    /// A binpkg the new root would receive.
    struct ResolvedBinpkg: Hashable {
        var cpv: CPV
        var path: String
        var sha256: String
        /// The binpkg file's MD5 (a vdb entry's `BINPKGMD5`), read in the same pass as its SHA-256.
        var md5: String
        var buildId: Int64
        /// The instance's BUILD_ID in the PKGDIR (binpkg-multi-instance).
        var portageBuildID: Int?
    }

    /// Assembles a new generation with the binpkgs emerge resolves and `kernel`, verifies it and switches `current`
    /// to it; nothing is switched when anything fails. Unchanged when packages, overlays, boot layout and kernel are.
    func assemble(_ workspace: ClassWorkspace, kernel: BuiltKernel?) async throws -> ClassOutcome {
        let resolved = try await resolveBinpkgs(workspace)
        let overlayDigest = try RootFinish.digest(workspace.profile)
        // Compared with what nodes boot now (`current`, which a rollback may have moved), not the newest generation.
        var base: (record: GenerationRecord, packages: [RootPackage])?
        if let number = RootLink.current(in: workspace.rootsDirectory),
           let current = try store.generation(class: workspace.nodeClass, number: number), let id = current.id,
           current.status == .published, current.overlayDigest == overlayDigest, current.kernelKey == kernel?.storeKey,
           current.stageDigest == workspace.stage?.digest,
           FileManager.default.fileExists(atPath: current.path) {
            let packages = try store.packages(inGeneration: id)
            if Set(packages.map { "\($0.cpv) \($0.sha256)" }) == Set(resolved.map { "\($0.cpv) \($0.sha256)" }) {
                events(.unchanged(workspace.nodeClass, generation: current.number))
                return .unchanged(generation: current.number)
            }
            base = (current, packages)
        }
        let generation = try store.beginGeneration(class: workspace.nodeClass, overlayDigest: overlayDigest,
                                                   kernel: kernel.map { ($0.release, $0.storeKey) },
                                                   stageDigest: workspace.stage?.digest, run: run) {
            (workspace.rootsDirectory as NSString).appendingPathComponent(String($0))
        }
        events(.assembling(workspace.nodeClass, generation: generation.number, packages: resolved.count))
        let started = Date()
        let installed: Installed
        do {
            if let base {
                installed = try await update(workspace, from: base.record.path, holding: base.packages, resolved: resolved,
                                             into: generation.path, number: generation.number)
            } else {
                installed = try await install(workspace, resolved: resolved, into: generation.path, number: generation.number)
            }
            KillPoint.reach("assembling")
            try await finish(workspace, kernel: kernel, root: generation.path)
            try await auditBeforePublish(workspace, resolved: resolved, root: generation.path, number: generation.number, generation: generation.id!)
            // Recorded first, then switched: a run killed between the two leaves a complete, recorded generation
            // that is not current (the next run compares with `current` and goes on from there).
            try store.publishGeneration(generation.id!, packages: resolved.map {
                FarmStore.InstalledBinpkg(cpv: $0.cpv.description, buildId: $0.buildId, sha256: $0.sha256)
            })
            KillPoint.reach("published")
            try RootLink.switchCurrent(in: workspace.rootsDirectory, to: generation.number)
        } catch {
            try? FileManager.default.removeItem(atPath: generation.path)
            try? store.failGeneration(generation.id!, reason: "\(error)")
            throw error
        }
        events(.published(workspace.nodeClass, generation: generation.number, packages: resolved.count, installed: installed.count,
                          seconds: Date().timeIntervalSince(started), merging: installed.mergeSeconds))
        return .published(generation: generation.number)
    }

    /// Installs the kernel, mount points and runlevel links into an assembled root and checks it can boot.
    func finish(_ workspace: ClassWorkspace, kernel: BuiltKernel?, root: String) async throws {
        var finish = RootFinish(profile: workspace.profile, kernel: kernel, transport: transport)
        finish.server = settings.pxe?.server.description
        try await finish.apply(to: root)
        try finish.verify(root: root)
    }

    /// Asks emerge which binpkg instances a fresh root of the package set gets, and finds the build of each.
    func resolveBinpkgs(_ workspace: ClassWorkspace) async throws -> [ResolvedBinpkg] {
        // A root holding only the stage's package database: emerge leaves out what the stage already has.
        let emptyRoot = (workspace.tree.tmpdir as NSString).appendingPathComponent("empty-root")
        try? FileManager.default.removeItem(atPath: emptyRoot)
        try FileManager.default.createDirectory(atPath: emptyRoot + "/var/db", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: emptyRoot) }
        if let stage = workspace.stage, FileManager.default.fileExists(atPath: VarDB.path(ofRoot: stage.root)) {
            try FileManager.default.copyItem(atPath: VarDB.path(ofRoot: stage.root), toPath: VarDB.path(ofRoot: emptyRoot))
        }
        let command = workspace.tree.resolveBinpkgsCommand(atoms: workspace.atoms, emptyRoot: emptyRoot)
        let (result, output) = try await transport.capture(command, limit: 16 << 20)
        guard result.termination.succeeded else {
            throw FarmError(problem: "class \(workspace.nodeClass): the binpkgs cannot make a complete root (\(result.termination)): \(result.tail.suffix(6).joined(separator: " | "))",
                            fix: "run `farmctl build \(workspace.nodeClass)` again; if it persists, run `\(command)` to see why")
        }
        let pkgdir = URL(fileURLWithPath: workspace.tree.pkgdir)
        let index = try PackagesIndex(contentsOf: pkgdir.appendingPathComponent("Packages"))
        return try MergeList.parse(output).filter { $0.kind == .binary }.map { entry in
            let block = index.packages.first { $0.cpv == entry.cpv.description && $0.buildID == entry.binpkgBuildID }
            guard let relative = block?.relativePath else {
                throw FarmError(problem: "class \(workspace.nodeClass): emerge chose \(entry.cpv) (build \(entry.binpkgBuildID.map(String.init) ?? "-")), which \(pkgdir.path)/Packages does not list",
                                fix: "run `farmctl binpkg verify \(pkgdir.path)`, then `farmctl build \(workspace.nodeClass)` again")
            }
            let url = pkgdir.appendingPathComponent(relative)
            let differences = workspace.binpkgCheck.incompatibilities(try BinpkgFile.metadata(of: url), cpv: entry.cpv)
            guard differences.isEmpty else {
                throw FarmError(problem: "class \(workspace.nodeClass): \(url.path) was built for other flags: \(differences.map(\.description).joined(separator: "; "))",
                                fix: "run `farmctl build \(workspace.nodeClass)` again: it moves such binpkgs aside and rebuilds them")
            }
            let digests = try Digest.hex([.sha256, .md5], ofFile: url)
            let sha256 = digests[.sha256]!
            guard let build = try store.build(withBinpkgSHA256: sha256), let buildId = build.id else {
                throw FarmError(problem: "\(url.path) has no build recorded in the provenance database",
                                fix: "remove it (farmctl will rebuild it), or adopt the PKGDIR with `farmctl binpkg import \(pkgdir.path) --class \(workspace.nodeClass)`")
            }
            return ResolvedBinpkg(cpv: entry.cpv, path: url.path, sha256: sha256, md5: digests[.md5]!, buildId: buildId,
                                  portageBuildID: entry.binpkgBuildID)
        }
    }

    /// What an assembly installed: how many packages, and the seconds the merger took for them.
    struct Installed {
        var count: Int
        var mergeSeconds: Double
    }

    /// Installs the binpkgs into a new generation directory, checks each is there, copies the overlays.
    @discardableResult
    func install(_ workspace: ClassWorkspace, resolved: [ResolvedBinpkg], into root: String, number: Int) async throws -> Installed {
        try RootCopy.remove(root)  // a generation left by a run that died: never current
        if let stage = workspace.stage {
            try await RootCopy.copyStage(stage, into: root, transport: transport)
        } else {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        }
        let log = (workspace.logsDirectory as NSString).appendingPathComponent("assemble-\(number).log")
        let merging = Date()
        if settings.merger == .farmctl {
            try await BinpkgMerger(workspace: workspace, transport: transport, log: log).install(resolved, into: root)
        } else {
            let result = try await transport.run(workspace.tree.assembleCommand(atoms: workspace.atoms, root: root),
                                                 logPath: log, onLine: { _ in })
            guard result.termination.succeeded else {
                throw FarmError(problem: "class \(workspace.nodeClass): installing binpkgs into generation \(number) failed (\(result.termination)); log: \(log)",
                                fix: "read the log; the previous `current` stays published")
            }
        }
        let mergeSeconds = Date().timeIntervalSince(merging)
        try verify(workspace, resolved: resolved, root: root, number: number, log: log)
        for overlay in workspace.profile.overlays.map(\.path) {
            try await RootCopy.overlay(overlay, onto: root, what: "the overlay", transport: transport)
        }
        return Installed(count: resolved.count, mergeSeconds: mergeSeconds)
    }
}
