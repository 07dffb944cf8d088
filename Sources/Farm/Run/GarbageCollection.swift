import Binpkg
import Digests
import FarmModel
import Foundation
import Store

extension Farm {
    /// `farmctl gc`: deletes generations beyond `keep_generations` (never `current`) and the binpkgs no kept
    /// generation holds, for every class; with `dryRun`, only says what it would delete.
    public func gc(dryRun: Bool, wait: Bool, events: @escaping @Sendable (FarmEvent) -> Void) async throws -> GCReport {
        let workspaces = try workspaces([])
        let lock = try await FarmLock.acquire(directory: settings.state.path, command: "gc", wait: wait) { events(.waitingForLock($0)) }
        defer { withExtendedLifetime(lock) {} }
        let store = try existingStore()
        return try collectGarbage(workspaces, store: store, dryRun: dryRun)
    }

    /// Garbage of each class: generations beyond `keep_generations`, then binpkgs that no kept generation holds,
    /// except the newest instance of each version installed in the class's staging root (what the next
    /// assembly may take: built but not yet in a root, or needed again after a rollback).
    func collectGarbage(_ workspaces: [ClassWorkspace], store: FarmStore, dryRun: Bool) throws -> GCReport {
        var report = GCReport()
        for workspace in workspaces {
            let nodeClass = workspace.nodeClass
            let pruned = dryRun ? try prunable(nodeClass, store: store).map(\.number) : try pruneGenerations(nodeClass, store: store)
            report.generations += pruned.map { "\(nodeClass)/\($0)" }
            let pkgdir = URL(fileURLWithPath: workspace.tree.pkgdir)
            let indexFile = pkgdir.appendingPathComponent("Packages")
            guard FileManager.default.fileExists(atPath: indexFile.path) else { continue }
            let index = try PackagesIndex(contentsOf: indexFile)
            let kept = try keptDigests(nodeClass, without: Set(pruned), store: store)
            var removed: [String] = []
            for (cpv, blocks) in Dictionary(grouping: index.packages, by: { $0.cpv ?? "" }) where !cpv.isEmpty {
                let newest = blocks.max { ($0.buildID ?? 0) < ($1.buildID ?? 0) }
                let installed = CPV(cpv).map { VarDB.holds($0, root: workspace.tree.stagingRoot) } ?? false
                for block in blocks {
                    guard let relative = block.relativePath else { continue }
                    if installed && block.buildID == newest?.buildID { continue }
                    let url = pkgdir.appendingPathComponent(relative)
                    guard let digest = try? Digest.hex(.sha256, ofFile: url), !kept.contains(digest) else { continue }
                    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value ?? 0
                    if !dryRun { try FileManager.default.removeItem(at: url) }
                    removed.append(url.path)
                    report.bytes += size
                }
            }
            report.binpkgs += removed.sorted()
            guard !dryRun, !removed.isEmpty else { continue }
            try store.recordBinpkgsRemoved(paths: removed)
            _ = try PkgdirIndexer(pkgdir: pkgdir).regenerate()
        }
        report.stages = try unusedStageExtractions(workspaces, dryRun: dryRun)
        return report
    }

    /// Deletes the extractions in `<state>/seed-stages` of stage tarballs no class names now (a changed stage leaves
    /// its old one behind; generations never need it again: a fresh assembly takes the class's current stage).
    private func unusedStageExtractions(_ workspaces: [ClassWorkspace], dryRun: Bool) throws -> [String] {
        let cache = settings.state.appendingPathComponent("seed-stages")
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).filter { !$0.hasPrefix(".") }
        guard !present.isEmpty else { return [] }
        var named = Set<String>()
        for workspace in workspaces {
            // A run's workspaces have their stage opened already: its digest is known (`farmctl gc` alone hashes).
            if let stage = workspace.stage { named.insert(String(stage.digest.dropFirst("sha256:".count))); continue }
            guard let url = workspace.profile.base.stage?.value else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if let digest = try? Digest.hex(.sha256, ofFile: url) { named.insert(digest) }
        }
        let unused = present.filter { !named.contains($0) }.sorted()
        if !dryRun { for name in unused { try RootCopy.remove(cache.appendingPathComponent(name).path) } }
        return unused.map { cache.appendingPathComponent($0).path }
    }

    /// The generations `pruneGenerations` would delete now.
    func prunable(_ nodeClass: ClassName, store: FarmStore) throws -> [GenerationRecord] {
        let current = RootLink.current(in: settings.rootsDirectory(for: nodeClass).path)
        let records = try store.generations(class: nodeClass).filter { $0.pruned == nil && $0.status != .assembling }
        let kept = Set(records.filter { $0.status == .published }.prefix(settings.keepGenerations).map(\.number))
        return records.filter { !kept.contains($0.number) && $0.number != current }
    }

    /// The SHA-256 of every binpkg held by a published generation that is not pruned (nor in `without`).
    private func keptDigests(_ nodeClass: ClassName, without: Set<Int>, store: FarmStore) throws -> Set<String> {
        var digests = Set<String>()
        for record in try store.generations(class: nodeClass)
        where record.status == .published && record.pruned == nil && !without.contains(record.number) {
            if let id = record.id { digests.formUnion(try store.packages(inGeneration: id).map(\.sha256)) }
        }
        return digests
    }
}
