import Binpkg
import FarmConfig
import FarmModel
import Foundation
import Store
import Workers

/// The result of `farmctl binpkg verify` for one PKGDIR.
public struct PkgdirVerification: Sendable {
    /// A binpkg that failed a check.
    public struct Damaged: Sendable {
        public var relativePath: String
        public var problems: [String]
        /// Where it was moved, nil when the PKGDIR belongs to no class of this farm (reported only).
        public var quarantinedTo: String?
    }

    public var pkgdir: String
    /// The class whose PKGDIR this is, nil for a PKGDIR outside the farm.
    public var nodeClass: ClassName?
    public var checked: Int
    public var damaged: [Damaged]
    /// Index entries whose file is missing (dropped from the regenerated index).
    public var missing: [String]
}

/// The result of `farmctl binpkg import`.
public struct ImportReport: Sendable {
    public var imported: [CPV] = []
    /// Already recorded for this class (same SHA-256).
    public var known: [CPV] = []
    /// Not adopted, with the reason (damaged, built for other flags, name clash).
    public var refused: [(path: String, reason: String)] = []
}

extension Farm {
    /// The class PKGDIRs of this farm, with their workspaces' keepers (signing with `signing` when the farm signs).
    private func keepers(store: FarmStore, signing: SigningKey?) throws -> [PkgdirKeeper] {
        let coordinator = settings.coordinator
        let emerge = (try? emergeProgram(for: coordinator)) ?? "emerge"
        let repositories = try repositories()
        return try profiles(named: []).map {
            var workspace = ClassWorkspace(profile: $0, settings: settings, worker: coordinator, repositories: repositories, emerge: emerge)
            workspace.sign(with: signing)
            return PkgdirKeeper(workspace: workspace, settings: settings, store: store)
        }
    }

    /// `farmctl binpkg verify [PKGDIR]`: checks every binpkg against its index entry and its own structure;
    /// in a class PKGDIR a damaged one is quarantined and recorded so the next build rebuilds it.
    public func verifyBinpkgs(pkgdir: String?) throws -> [PkgdirVerification] {
        let store = try openStore()
        let signing = try SigningKey.open(settings)
        let keepers = try keepers(store: store, signing: signing)
        let targets: [(URL, PkgdirKeeper?)]
        if let pkgdir {
            let url = URL(fileURLWithPath: pkgdir).standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("Packages").path)
                    || !BinpkgFile.files(in: url).isEmpty else {
                throw FarmError(problem: "\(pkgdir): no Packages index and no binpkgs (*.tbz2, *.xpak, *.gpkg.tar) there",
                                fix: "name a PKGDIR, e.g. \(settings.packagesDirectory(for: keepers.first?.nodeClass ?? ClassName("PIII")!).path)")
            }
            targets = [(url, keepers.first { $0.pkgdir.standardizedFileURL.path == url.path })]
        } else {
            targets = keepers.filter { FileManager.default.fileExists(atPath: $0.pkgdir.path) }.map { ($0.pkgdir, $0) }
        }
        return try targets.map { try verify(pkgdir: $0.0, keeper: $0.1, signedBy: signing) }
    }

    /// Checks one PKGDIR; with the farm's signing key, every gpkg in it must be signed by that key.
    private func verify(pkgdir: URL, keeper: PkgdirKeeper?, signedBy key: SigningKey?) throws -> PkgdirVerification {
        let indexURL = pkgdir.appendingPathComponent("Packages")
        let index = FileManager.default.fileExists(atPath: indexURL.path) ? try PackagesIndex(contentsOf: indexURL) : nil
        var entries: [String: PackagesBlock] = [:]
        for block in index?.packages ?? [] { if let path = block.relativePath { entries[path] = block } }
        let files = BinpkgFile.files(in: pkgdir)
        var report = PkgdirVerification(pkgdir: pkgdir.path, nodeClass: keeper?.nodeClass, checked: files.count, damaged: [],
                                        missing: Set(entries.keys).subtracting(files.map(\.relativePath)).sorted())
        for file in files {
            let problems = BinpkgHealth.problems(of: pkgdir.appendingPathComponent(file.relativePath), entry: entries[file.relativePath], signedBy: key)
            guard !problems.isEmpty else { continue }
            var damaged = PkgdirVerification.Damaged(relativePath: file.relativePath, problems: problems)
            if let keeper, let cpv = entries[file.relativePath]?.parsedCPV ?? BinpkgInstances.cpv(ofPath: file.relativePath) {
                try keeper.quarantine(file.relativePath, cpv: cpv, kind: .damaged, reason: problems.joined(separator: "; "))
                damaged.quarantinedTo = keeper.quarantineDirectory.path
            }
            report.damaged.append(damaged)
        }
        if keeper != nil, !report.damaged.isEmpty || !report.missing.isEmpty {
            try PkgdirIndexer(pkgdir: pkgdir).regenerate()
        }
        return report
    }

    /// `farmctl binpkg index PKGDIR`: regenerates the Packages index, re-reading only changed binpkgs.
    public static func regenerateIndex(pkgdir: String) throws -> PkgdirScan {
        try PkgdirIndexer(pkgdir: URL(fileURLWithPath: pkgdir)).regenerate()
    }
}
