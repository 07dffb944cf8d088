import Binpkg
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
    /// The class's flags, from its make.conf.
    let toolchain: ClassToolchain
    /// Atoms with a package.env entry: their CFLAGS/CXXFLAGS/LDFLAGS may differ from make.conf.
    let packageEnvAtoms: [Atom]
    let store: FarmStore

    init(workspace: ClassWorkspace, settings: FarmSettings, store: FarmStore) {
        nodeClass = workspace.nodeClass
        pkgdir = URL(fileURLWithPath: workspace.tree.pkgdir)
        quarantineDirectory = settings.state.appendingPathComponent("quarantine/\(workspace.nodeClass)")
        toolchain = ClassToolchain(workspace.profile.makeConf)
        packageEnvAtoms = Self.packageEnvAtoms(workspace.profile.packageEnv)
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
        }
    }

    /// Regenerates the index and quarantines every binpkg whose content is not what its build recorded (SHA-256)
    /// or whose flags are not the class's.
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
            let metadata = try BinpkgFile.metadata(of: url)
            let differences = incompatibilities(metadata, cpv: cpv)
            guard !differences.isEmpty else { continue }
            let reason = "built for other flags than class \(nodeClass): " + differences.map(\.description).joined(separator: "; ")
            try quarantine(relative, cpv: cpv, kind: .incompatible, reason: reason)
            moved.append(Moved(relativePath: relative, cpv: cpv, reason: reason, cause: .incompatible))
        }
        if !moved.isEmpty { scan = try indexer.regenerate() }
        return moved
    }

    /// The differences that forbid installing `metadata`'s binpkg in this class (empty: compatible).
    func incompatibilities(_ metadata: BinpkgMetadata, cpv: CPV) -> [CompatibilityDifference] {
        var expected = toolchain
        if packageEnvAtoms.contains(where: { $0.matches(cpv) }) {
            expected.cflags = nil  // package.env may set other flags for this package
            expected.cxxflags = nil
            expected.ldflags = nil
        }
        return metadata.compatibilityKey.differences(from: expected, declaredCPUFlags: metadata.declaredCPUFlags)
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

    static func packageEnvAtoms(_ url: URL?) -> [Atom] {
        guard let url else { return [] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
        let files = isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted().map { url.appendingPathComponent($0) }
            : [url]
        return files.flatMap { file in
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line -> Atom? in
                let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                return text.split(whereSeparator: \.isWhitespace).first.flatMap { try? Atom(String($0)) }
            }
        }
    }
}

extension ClassToolchain {
    /// The flags a class's make.conf sets (unset ones are not checked).
    init(_ makeConf: MakeConf) {
        let cpu = makeConf.value("CPU_FLAGS_X86") == nil ? nil : Set(makeConf.cpuFlagsX86)
        self.init(chost: makeConf.chost, cflags: makeConf.cflags, cxxflags: makeConf.value("CXXFLAGS"),
                  ldflags: makeConf.value("LDFLAGS"), cpuFlagsX86: cpu)
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
