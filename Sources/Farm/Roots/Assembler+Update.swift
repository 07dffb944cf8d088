import FarmModel
import Binpkg
import Foundation
import Store
import Workers

extension Assembler {
    /// Makes generation `number` from a copy of the generation nodes boot now: unmerges what the plan dropped and
    /// installs only the packages that are new or whose binpkg differs, so k changed packages cost k installs.
    /// The result is checked exactly as a fresh assembly is (same packages, same binpkg instances, nothing else).
    func update(_ workspace: ClassWorkspace, from previous: String, holding packages: [RootPackage], resolved: [ResolvedBinpkg],
                into root: String, number: Int) async throws -> Installed {
        let old: [(cpv: CPV, sha256: String)] = packages.compactMap { row in CPV(row.cpv).map { (cpv: $0, sha256: row.sha256) } }
        let oldByCP = Dictionary(old.map { ($0.cpv.cp, $0) }, uniquingKeysWith: { first, _ in first })
        let newCPs = Set(resolved.map(\.cpv.cp))
        guard oldByCP.count == old.count, newCPs.count == resolved.count else {
            // Two slots of one package: let a fresh assembly sort it out.
            return try await install(workspace, resolved: resolved, into: root, number: number)
        }
        try? FileManager.default.removeItem(atPath: root)  // a generation left by a run that died: never current
        let log = (workspace.logsDirectory as NSString).appendingPathComponent("assemble-\(number).log")
        try await run(Command("cp", ["-a", previous, root]), workspace, number: number, log: log, what: "copying \(previous)")
        let removed = old.filter { !newCPs.contains($0.cpv.cp) }.map(\.cpv)
        let changed = resolved.filter { oldByCP[$0.cpv.cp]?.sha256 != $0.sha256 }.map(\.cpv)
        let merging = Date()
        if settings.merger == .farmctl {
            let replacing = Dictionary(uniqueKeysWithValues: changed.compactMap { cpv in
                oldByCP[cpv.cp].map { ("\(cpv.category)/\(cpv.pf)", "\($0.cpv.category)/\($0.cpv.pf)") }
            })
            try await BinpkgMerger(workspace: workspace, transport: transport, log: log)
                .install(resolved.filter { changed.contains($0.cpv) }, into: root,
                         dropped: removed.map { "\($0.category)/\($0.pf)" }, replacing: replacing)
        } else {
            if !removed.isEmpty {
                try await run(workspace.tree.unmergeCommand(cpvs: removed, root: root), workspace, number: number, log: log,
                              what: "unmerging \(removed.map(\.description).joined(separator: " "))")
            }
            if !changed.isEmpty {
                try await run(workspace.tree.installBinpkgsCommand(cpvs: changed, root: root), workspace, number: number, log: log,
                              what: "installing \(changed.map(\.description).joined(separator: " "))")
            }
        }
        let mergeSeconds = Date().timeIntervalSince(merging)
        try verify(workspace, resolved: resolved, root: root, number: number, log: log)
        return Installed(count: changed.count, mergeSeconds: mergeSeconds)
    }

    private func run(_ command: Command, _ workspace: ClassWorkspace, number: Int, log: String, what: String) async throws {
        let result = try await transport.run(command, logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "class \(workspace.nodeClass): \(what) for generation \(number) failed (\(result.termination)); log: \(log)",
                            fix: "read the log; the previous `current` stays published")
        }
    }

    /// Checks that a generation's package database holds exactly the resolved packages, each from the resolved
    /// binpkg instance (its BUILD_ID), and nothing else but the seed stage's own packages.
    func verify(_ workspace: ClassWorkspace, resolved: [ResolvedBinpkg], root: String, number: Int, log: String) throws {
        let vdb = VarDB.path(ofRoot: root)
        let installed = VarDB.installed(vdb)
        func fail(_ problem: String) -> FarmError {
            FarmError(problem: "class \(workspace.nodeClass): generation \(number) \(problem)", fix: "read \(log); the previous `current` stays published")
        }
        for package in resolved {
            guard let buildID = installed["\(package.cpv.category)/\(package.cpv.pf)"] else {
                throw fail("lacks \(package.cpv) after emerge")
            }
            if let wanted = package.portageBuildID, buildID != wanted {
                throw fail("holds \(package.cpv) from binpkg instance \(buildID), not the resolved \(wanted)")
            }
        }
        let extra = Set(installed.keys).subtracting(resolved.map { "\($0.cpv.category)/\($0.cpv.pf)" }).subtracting(workspace.stagePackages)
        guard extra.isEmpty else { throw fail("holds packages the plan does not: \(extra.sorted().joined(separator: ", "))") }
    }
}
