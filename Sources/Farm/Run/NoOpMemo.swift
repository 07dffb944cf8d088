import Binpkg
import Digests
import FarmConfig
import FarmModel
import Foundation
import Portage
import Store
import Workers

/// The key of everything a class's plan depends on, stamped by path, size and modification time, so a run with
/// nothing changed answers "unchanged" without starting emerge (issue 17). A run that planned nothing from inputs with
/// this key remembers it (`FarmStore.rememberNoOp`); the next run with the same key skips plan and assembly check.
///
/// In the key: farmctl itself, workers.conf, each repository's pinned state, the class's profile directory and the
/// overlays, stage, kernel source, config, fragments and modules its class.toml names, the staging root's stamp and
/// package database, Portage's host-side package database, both PKGDIRs (the `Packages` index and every binpkg),
/// the emerge program, the compiler, and the generation `current` names. Not in it: binpkg contents (a no-op does
/// not hash them; `farmctl nightly --replan` or `farmctl binpkg verify` does).
struct NoOpMemo: Sendable {
    /// Bumped when what the key covers changes, so keys of an older farmctl never match.
    static let format = "no-op memo 1"

    let settings: FarmSettings
    let repositories: [RepositoryState]

    /// The key of `workspace`'s plan inputs now.
    func key(_ workspace: ClassWorkspace) throws -> String {
        let profile = workspace.profile
        let tree = workspace.tree
        var lines = [Self.format, "farmctl " + Self.stamp(Self.executable)]
        lines.append("workers.conf " + Self.stamp(settings.configFile.path))
        lines += repositories.map { "repository \($0.repository) \($0.path) \($0.state)" }
        var inputs = [("profile", profile.directory.path)] + profile.overlays.map { ("overlay", $0.path) }
        if let stage = profile.base.stage { inputs.append(("stage", stage.value.path)) }
        if let kernel = profile.kernel {
            inputs.append(("kernel source", kernel.source.value.path))
            if case .file(let url) = kernel.config.value { inputs.append(("kernel config", url.path)) }
            inputs += kernel.fragments.map { ("kernel fragment", $0.value.path) } + kernel.modules.map { ("kernel module", $0.value.path) }
        }
        inputs += [("staging stamp", workspace.stagingStampPath), ("staging vdb", VarDB.path(ofRoot: tree.stagingRoot)),
                   ("host vdb", VarDB.path(ofRoot: ClassTree.hostRoot(emerge: tree.emerge))),
                   ("pkgdir", tree.pkgdir), ("host pkgdir", tree.hostPkgdir),
                   ("emerge", tree.emerge), ("gcc", Farm.onPath("gcc").map { ($0 as NSString).resolvingSymlinksInPath } ?? "")]
        for (what, path) in inputs { lines.append("\(what) \(path) " + (try Self.stampTree(path))) }
        let current = RootLink.current(in: workspace.rootsDirectory)
        let currentPath = (workspace.rootsDirectory as NSString).appendingPathComponent(current.map(String.init) ?? "-")
        lines.append("current \(current.map(String.init) ?? "none") " + Self.stamp(currentPath))
        return try Digest.hex(.sha256, of: Data(lines.joined(separator: "\n").utf8))
    }

    /// A file's identity without reading it: inode, size and modification time ("absent" when missing).
    static func stamp(_ path: String) -> String {
        var info = stat()
        guard !path.isEmpty, stat(path, &info) == 0 else { return "absent" }
        return "\(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// A directory's metadata stamp (every entry's path, mode, size and modification time), or a file's `stamp`.
    static func stampTree(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return stamp(path)
        }
        do { return try TreeDigest.metadataStamp(path) } catch let error as TreeDigest.UnreadableDirectory {
            throw FarmError(problem: error.description, fix: "make it readable by the user running farmctl")
        }
    }

    /// This process's executable (a rebuilt farmctl may plan differently).
    static let executable: String = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

extension Farm {
    /// Splits a run's classes into those whose memo holds (reported unchanged, not planned) and the rest; `keys` has
    /// every class's key now. With `use` false (`--replan`, or after a dead run's recovery) no memo is used.
    func notPlanned(_ workspaces: [ClassWorkspace], memo: NoOpMemo, store: FarmStore, use: Bool,
                    events: @Sendable (FarmEvent) -> Void) async
        throws -> (remembered: [BuildSummary.ClassResult], keys: [ClassName: String], rest: [ClassWorkspace]) {
        var remembered: [BuildSummary.ClassResult] = []
        var keys: [ClassName: String] = [:]
        var rest: [ClassWorkspace] = []
        for workspace in workspaces {
            let nodeClass = workspace.nodeClass
            let key = try await onOwnThread(named: "farmctl-memo") { try memo.key(workspace) }  // stats a whole tree
            keys[nodeClass] = key
            guard use, let hit = try store.noOpMemo(class: nodeClass), hit.key == key,
                  RootLink.current(in: workspace.rootsDirectory) == hit.generation,
                  try store.pendingRebuilds(class: nodeClass).isEmpty else {
                rest.append(workspace)
                continue
            }
            events(.notPlanned(nodeClass, generation: hit.generation, since: hit.run))
            let outcome = ClassOutcome.unchanged(generation: hit.generation)
            var result = BuildSummary.ClassResult(nodeClass: nodeClass, outcome: outcome, built: 0, failed: 0)
            result.reused = try reusedCount(outcome, nodeClass: nodeClass, built: 0, store: store)
            result.notPlannedSince = hit.run
            remembered.append(result)
        }
        return (remembered, keys, rest)
    }

    /// Remembers a class's key when this run planned nothing for it and its root stayed as it was, provided the key
    /// is still the one read before planning (nothing changed meanwhile); otherwise forgets the class's memo.
    func rememberIfNoOp(_ plan: ClassPlan, outcome: ClassOutcome, damaged: Bool, key before: String?, memo: NoOpMemo,
                        store: FarmStore, run: Int64) async throws {
        let nodeClass = plan.workspace.nodeClass
        let workspace = plan.workspace
        if case .unchanged(let generation) = outcome, plan.toBuild.isEmpty, !damaged, let before,
           try await onOwnThread(named: "farmctl-memo", { try memo.key(workspace) }) == before {
            try store.rememberNoOp(class: nodeClass, key: before, generation: generation, run: run)
        } else {
            try store.forgetNoOp(class: nodeClass)
        }
    }
}
