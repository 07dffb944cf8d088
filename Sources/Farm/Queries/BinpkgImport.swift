import Binpkg
import Digests
import FarmConfig
import FarmModel
import Foundation
import Store
import Workers

extension Farm {
    /// `farmctl binpkg import PKGDIR --class C`: adopts an existing PKGDIR's binpkgs into class C.
    ///
    /// Each binpkg is checked (index entry, structure) and against the class's flags; compatible ones are
    /// copied into the class PKGDIR (unless it is that PKGDIR), recorded as imported builds with what they say
    /// about themselves, and installed into the class's staging root so the next build does not rebuild them.
    public func importBinpkgs(from source: String, class name: String) async throws -> ImportReport {
        let configured = try workspaces([name])   // the class's workspace, signing with the farm's key when it signs
        let sourceURL = URL(fileURLWithPath: source).standardizedFileURL
        let files = BinpkgFile.files(in: sourceURL)
        guard !files.isEmpty else {
            throw FarmError(problem: "\(source): no binpkgs (*.tbz2, *.xpak, *.gpkg.tar) there",
                            fix: "name the PKGDIR that holds the binpkgs, e.g. /var/cache/binpkgs")
        }
        let workspace = try seeded(configured)[0]
        let lock = try FarmLock.take(directory: settings.state.path, command: "binpkg-import")
        defer { withExtendedLifetime(lock) {} }
        try await prepare([workspace])
        let store = try openStore()
        let keeper = PkgdirKeeper(workspace: workspace, settings: settings, store: store)
        let index = try? PackagesIndex(contentsOf: sourceURL.appendingPathComponent("Packages"))
        let inPlace = keeper.pkgdir.standardizedFileURL.path == sourceURL.path
        var report = ImportReport()
        var adopted: [(CPV, String, Date)] = []
        for file in files {
            let url = sourceURL.appendingPathComponent(file.relativePath)
            let entry = index?.packages.first { $0.relativePath == file.relativePath }
            let problems = BinpkgHealth.problems(of: url, entry: entry, signedBy: workspace.signingKey)
            guard problems.isEmpty else {
                report.refused.append((url.path, "damaged: " + problems.joined(separator: "; ")))
                continue
            }
            let metadata = try BinpkgFile.metadata(of: url)
            guard let cpv = metadata.parsedCPV else {
                report.refused.append((url.path, "its metadata has no valid CATEGORY/PF"))
                continue
            }
            let differences = keeper.check.incompatibilities(metadata, cpv: cpv)
            guard differences.isEmpty else {
                report.refused.append((url.path, "built for other flags than class \(name): "
                                       + differences.map(\.description).joined(separator: "; ")))
                continue
            }
            let target = keeper.pkgdir.appendingPathComponent(file.relativePath)
            if !inPlace {
                if FileManager.default.fileExists(atPath: target.path) {
                    guard try Digest.hex(.sha256, ofFile: target) == Digest.hex(.sha256, ofFile: url) else {
                        report.refused.append((url.path, "\(target.path) exists with other content; rename one of them (a new build id)"))
                        continue
                    }
                } else {
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try FileManager.default.copyItem(at: url, to: target)
                }
            }
            adopted.append((cpv, target.path, Date(timeIntervalSince1970: TimeInterval(metadata.buildTime ?? 0))))
        }
        try PkgdirIndexer(pkgdir: keeper.pkgdir).regenerate()
        for (cpv, path, builtAt) in adopted {
            let binpkg = try FarmStore.BuiltBinpkg.describe(path)
            if try store.recordImportedBinpkg(class: workspace.nodeClass, cpv: cpv, binpkg: binpkg, builtAt: builtAt, source: source) != nil {
                report.imported.append(cpv)
            } else {
                report.known.append(cpv)
            }
        }
        try await installIntoStaging(workspace, Array(Set(adopted.map(\.0))).sorted())
        return report
    }

    /// Installs adopted packages into the class's staging root, so planning sees them as built.
    private func installIntoStaging(_ workspace: ClassWorkspace, _ cpvs: [CPV]) async throws {
        guard !cpvs.isEmpty else { return }
        let log = (workspace.logsDirectory as NSString).appendingPathComponent("import-\(Int(Date().timeIntervalSince1970)).log")
        let result = try await LocalTransport().run(workspace.tree.installIntoStagingCommand(cpvs: cpvs), logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "class \(workspace.nodeClass): the adopted binpkgs are recorded, but installing them into the staging root failed (\(result.termination)); log: \(log)",
                            fix: "read the log; `farmctl build \(workspace.nodeClass)` still works and rebuilds what is missing")
        }
    }
}
