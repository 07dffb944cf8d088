import Binpkg
import FarmModel
import Foundation
import Workers

/// farmctl's own merger (`[farm] merger = "farmctl"`, the default): the binpkgs' images extracted in parallel through
/// the safe extraction, merged into the root with their vdb entries by `RootMerge`, then Portage's `env-update` once.
/// Packages with phases a binary merge runs (`pkg_pretend`, `pkg_setup`, `pkg_preinst`, `pkg_postinst`, and
/// `pkg_prerm`/`pkg_postrm` of a replaced one) are installed by `emerge --usepkgonly` instead, after the others.
struct BinpkgMerger {
    let workspace: ClassWorkspace
    let transport: any WorkerTransport
    let log: String

    /// Phases that make a package go through Portage (`DEFINED_PHASES` names them without `pkg_`).
    static let portagePhases: Set<String> = ["pretend", "setup", "preinst", "postinst", "prerm", "postrm"]

    /// An image extracted and waiting to be merged.
    private struct Extracted: Sendable {
        var package: Assembler.ResolvedBinpkg
        var image: String
        var metadata: [String: Data]
        var phases: Set<String>
    }

    /// Installs `packages` into `root`, removing `dropped` (`cat/pf`) first; `replacing` maps a package's `cat/pf`
    /// to the installed version (`cat/pf`) of the same package it replaces. Returns how many it installed.
    @discardableResult
    func install(_ packages: [Assembler.ResolvedBinpkg], into root: String, dropped: [String] = [],
                 replacing: [String: String] = [:]) async throws -> Int {
        let (protect, mask) = try await configProtect(root: root)
        let images = root + ".images"
        try? FileManager.default.removeItem(atPath: images)
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: images) }
        let extracted = try await extract(packages, under: images)
        let vdb = VarDB.path(ofRoot: root)
        let withPhases = dropped.filter { package in
            !Self.phases((try? String(contentsOfFile: "\(vdb)/\(package)/DEFINED_PHASES", encoding: .utf8)) ?? "").isDisjoint(with: ["prerm", "postrm"])
        }
        if !withPhases.isEmpty {
            try await run(workspace.tree.unmergeCommand(cpvs: withPhases.compactMap { CPV($0) }, root: root),
                          what: "unmerging \(withPhases.joined(separator: " ")) with emerge (package phases)")
        }
        let atoms = workspace.atoms
        // Renames, md5s and vdb writes: blocking file work, on a thread of its own.
        let throughPortage = try await onOwnThread(named: "farmctl-merge") { () throws -> [CPV] in
            var merge = try RootMerge(root: root, protect: protect, mask: mask)
            for package in dropped where !withPhases.contains(package) { try merge.unmerge(package) }
            var throughPortage: [CPV] = []
            for item in extracted {
                let key = "\(item.package.cpv.category)/\(item.package.cpv.pf)"
                let old = replacing[key].map { "\(vdb)/\($0)/DEFINED_PHASES" }
                    .flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }.map(Self.phases) ?? []
                if !item.phases.isDisjoint(with: Self.portagePhases) || !old.isDisjoint(with: ["prerm", "postrm"]) {
                    throughPortage.append(item.package.cpv)
                    continue
                }
                try merge.merge(image: item.image, cpv: item.package.cpv, metadata: item.metadata, binpkgMD5: item.package.md5,
                                replacing: replacing[key])
            }
            try merge.finish(addingToWorld: atoms)
            return throughPortage
        }
        if !throughPortage.isEmpty {
            try await run(workspace.tree.installBinpkgsCommand(cpvs: throughPortage, root: root),
                          what: "installing \(throughPortage.map(\.description).joined(separator: " ")) with emerge (package phases)")
        }
        try await run(workspace.tree.envUpdateCommand(root: root), what: "env-update")
        return packages.count
    }

    /// Extracts every image at once, two per core, each on a thread of its own.
    private func extract(_ packages: [Assembler.ResolvedBinpkg], under images: String) async throws -> [Extracted] {
        let width = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
        let owners = getuid() == 0
        return try await withThrowingTaskGroup(of: (Int, Extracted).self) { group in
            var results: [Int: Extracted] = [:]
            for (index, package) in packages.enumerated() {
                if index >= width, let next = try await group.next() { results[next.0] = next.1 }
                group.addTask {
                    let item = try await onOwnThread(named: "farmctl-extract") {
                        let binpkg = try BinaryPackage(contentsOf: URL(fileURLWithPath: package.path))
                        let image = "\(images)/\(index)"
                        _ = try binpkg.extractImage(into: URL(fileURLWithPath: image),
                                                    options: ExtractionOptions(allowDeviceNodes: true, preserveOwnership: owners))
                        let phases = binpkg.rawMetadata["DEFINED_PHASES"].map { Self.phases(String(decoding: $0, as: UTF8.self)) } ?? []
                        return Extracted(package: package, image: image, metadata: binpkg.rawMetadata, phases: phases)
                    }
                    return (index, item)
                }
            }
            for try await (done, item) in group { results[done] = item }
            return packages.indices.map { results[$0]! }
        }
    }

    /// `CONFIG_PROTECT` and `CONFIG_PROTECT_MASK` as Portage has them for this class and root (`portageq envvar`).
    private func configProtect(root: String) async throws -> (protect: [String], mask: [String]) {
        let command = workspace.tree.portageqCommand(["envvar", "CONFIG_PROTECT", "CONFIG_PROTECT_MASK"], root: root)
        let (result, output) = try await transport.capture(command, limit: 1 << 20)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard result.termination.succeeded, lines.count >= 2 else {
            throw FarmError(problem: "class \(workspace.nodeClass): `portageq envvar CONFIG_PROTECT` failed (\(result.termination)): \(result.tail.suffix(3).joined(separator: " | "))",
                            fix: "run `\(command)` to see why; [farm] merger = \"emerge\" assembles with emerge meanwhile")
        }
        return (lines[0].split(separator: " ").map(String.init), lines[1].split(separator: " ").map(String.init))
    }

    private func run(_ command: Command, what: String) async throws {
        let result = try await transport.run(command, logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "class \(workspace.nodeClass): \(what) failed (\(result.termination)); log: \(log)",
                            fix: "read the log; the previous `current` stays published")
        }
    }

    static func phases(_ text: String) -> Set<String> {
        Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
    }
}
