import Binpkg
import Digests
import FarmConfig
import FarmModel
import Foundation
import Store

/// Keeps one class's PKGDIR honest: indexes it, moves aside binpkgs built for other flags or damaged,
/// and records each move so the class's next build rebuilds that package.
struct PkgdirKeeper: Sendable {
    let nodeClass: ClassName
    let pkgdir: URL
    /// `<state>/quarantine/<CLASS>`: where moved binpkgs go, under their PKGDIR-relative path.
    let quarantineDirectory: URL
    /// What a binpkg of the class must have been built with (computed once per run, in the workspace).
    let check: ClassBinpkgCheck
    let store: FarmStore
    /// True when the farm signs this class's binpkgs (gpkg and `[farm] signing_key`): unsigned ones are moved aside.
    let signs: Bool

    init(workspace: ClassWorkspace, settings: FarmSettings, store: FarmStore) {
        signs = workspace.signingKey != nil && workspace.tree.binpkgFormat == "gpkg"
        nodeClass = workspace.nodeClass
        pkgdir = URL(fileURLWithPath: workspace.tree.pkgdir)
        quarantineDirectory = settings.state.appendingPathComponent("quarantine/\(workspace.nodeClass)")
        check = workspace.binpkgCheck
        self.store = store
    }

    /// A binpkg moved aside, and why.
    struct Moved: Sendable, Hashable {
        var relativePath: String
        var cpv: CPV
        var reason: String
        var cause: Cause

        enum Cause: Sendable, Hashable {
            /// Its SHA-256 is not its build's.
            case damaged
            /// No build is recorded for it.
            case unrecorded
            /// Built with flags the class does not use.
            case incompatible
            /// Not signed, in a class whose binpkgs the farm signs (built before signing was turned on).
            case unsigned
        }
    }

    /// Regenerates the index and quarantines every binpkg whose content is not what its build recorded (SHA-256),
    /// that is not signed where the farm signs, or whose flags are not the class's.
    func sweep() throws -> [Moved] {
        let indexer = PkgdirIndexer(pkgdir: pkgdir)
        var scan = try indexer.regenerate()
        var moved: [Moved] = []
        let entries = scan.index.packages.compactMap { block in
            block.relativePath.flatMap { relative in block.parsedCPV.map { (relative, $0) } }
        }
        let recorded = try store.recordedDigests(paths: entries.map { pkgdir.appendingPathComponent($0.0).path })
        for (relative, cpv) in entries {
            let url = pkgdir.appendingPathComponent(relative)
            let actual = try Digest.hex(.sha256, ofFile: url)
            if let expected = recorded[url.path], actual != expected {
                let reason = "damaged on disk: its SHA-256 is \(actual.prefix(16))…, its build recorded \(expected.prefix(16))…"
                try quarantine(relative, cpv: cpv, kind: .damaged, reason: reason)
                moved.append(Moved(relativePath: relative, cpv: cpv, reason: reason, cause: .damaged))
                continue
            }
            if recorded[url.path] == nil, try store.build(withBinpkgSHA256: actual) == nil {
                // Written by an emerge whose run died before recording the build (or put here by hand): nothing
                // vouches for it, and assembly would refuse it. Rebuilt like a damaged one.
                let reason = "no build recorded for it (its run died before recording it, or it was copied in; adopt binpkgs with `farmctl binpkg import`)"
                try quarantine(relative, cpv: cpv, kind: .damaged, reason: reason)
                moved.append(Moved(relativePath: relative, cpv: cpv, reason: reason, cause: .unrecorded))
                continue
            }
            if signs, relative.hasSuffix(".gpkg.tar"), (try? BinaryPackage(contentsOf: url))?.gpkg?.isManifestSigned != true {
                let reason = "not signed, and the farm signs class \(nodeClass)'s binpkgs (signing_key): built before signing was set up; rebuilt signed"
                try quarantine(relative, cpv: cpv, kind: .incompatible, reason: reason)
                moved.append(Moved(relativePath: relative, cpv: cpv, reason: reason, cause: .unsigned))
                continue
            }
            let metadata = try BinpkgFile.metadata(of: url)
            let differences = check.incompatibilities(metadata, cpv: cpv)
            guard !differences.isEmpty else { continue }
            let reason = "built for other flags than class \(nodeClass): " + differences.map(\.description).joined(separator: "; ")
            try quarantine(relative, cpv: cpv, kind: .incompatible, reason: reason)
            moved.append(Moved(relativePath: relative, cpv: cpv, reason: reason, cause: .incompatible))
        }
        if !moved.isEmpty { scan = try indexer.regenerate() }
        return moved
    }

    /// Moves `relativePath` out of PKGDIR into the quarantine and records it.
    func quarantine(_ relativePath: String, cpv: CPV, kind: QuarantineKind, reason: String) throws {
        let source = pkgdir.appendingPathComponent(relativePath)
        let stamp = String(Int(Date().timeIntervalSince1970 * 1000))
        let target = quarantineDirectory.appendingPathComponent(stamp).appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let sha256 = try? Digest.hex(.sha256, ofFile: source)
        try FileManager.default.moveItem(at: source, to: target)
        try store.recordQuarantine(class: nodeClass, cpv: cpv, kind: kind, reason: reason, originalPath: source.path,
                                   quarantinePath: target.path, sha256: sha256)
    }
}

extension FarmStore.BuiltBinpkg {
    /// What a binpkg says about itself: size, SHA-256, build id, flags and compatibility key.
    static func describe(_ path: String) throws -> FarmStore.BuiltBinpkg {
        let url = URL(fileURLWithPath: path)
        let metadata = try BinpkgFile.metadata(of: url)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return FarmStore.BuiltBinpkg(
            path: path, size: size, sha256: try Digest.hex(.sha256, ofFile: url), portageBuildID: metadata.buildID,
            chost: metadata.chost?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
            cflags: metadata.cflags?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "",
            use: metadata.use.sorted().joined(separator: " "), compatKey: metadata.compatibilityKey.digest)
    }
}
