import Binpkg
import Digests
import FarmConfig
import Foundation
import Store
import Testing
import TestSupport
import Workers
@testable import Farm

/// farmctl's own merger against `emerge --usepkgonly` (issue 17): the same binpkgs, the same stage, two roots
/// compared file by file. What may differ is listed in `mayDiffer` with its reason.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct MergerComparisonTests {
    /// Paths whose content may differ between the two mergers, and why.
    static let mayDiffer: [String: String] = [
        "/var/cache/edb/mtimedb": "emerge's resume list and timestamps",
        "/var/cache/edb/vdb_metadata.pickle": "Portage's own cache of the vdb",
        "/var/cache/edb/counter": "the last COUNTER given: each merger counts in its own merge order (checked apart)",
        "/var/lib/portage/preserved_libs_registry": "written by emerge whether or not a library is preserved",
        "/var/lib/portage/world_sets": "written by emerge; no sets are used",
    ]

    /// Files of every vdb entry that may differ, and why.
    static let mayDifferInEntries: [String: String] = [
        "COUNTER": "each merger counts in its own merge order (checked apart: distinct, the counter file is the largest)",
        "environment.bz2": "emerge saves the environment again after running the empty default pkg_setup/pkg_preinst; farmctl keeps the binpkg's",
    ]

    /// Whether `path` may differ between the two roots.
    static func mayDiffer(_ path: String) -> Bool {
        mayDiffer[path] != nil || path.hasPrefix("/var/db/pkg/") && mayDifferInEntries[(path as NSString).lastPathComponent] != nil
    }

    /// One node of a root as the comparison sees it: type, mode, owner, and content (digest, link target).
    struct Node: Equatable, CustomStringConvertible {
        var kind: String
        var mode: UInt32
        var owner: String
        var content: String
        /// A regular file's mtime (compared for package files only: the rest is written at merge time).
        var mtime: Int = 0
        var description: String { "\(kind) \(String(mode, radix: 8)) \(owner) \(content) mtime \(mtime)" }
    }

    /// Every node under `root` by path; a vdb entry's `metadata` without its `#dir_mtime` line (the directory's mtime).
    static func nodes(_ root: String) throws -> [String: Node] {
        var result: [String: Node] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root)!
        while let relative = enumerator.nextObject() as? String {
            let path = root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let owner = "\(info.st_uid):\(info.st_gid)"
            switch info.st_mode & S_IFMT {
            case S_IFDIR: result["/" + relative] = Node(kind: "dir", mode: info.st_mode & 0o7777, owner: owner, content: "")
            case S_IFLNK:
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: path)
                result["/" + relative] = Node(kind: "sym", mode: 0, owner: owner, content: target)
            case S_IFREG:
                var data = try Data(contentsOf: URL(fileURLWithPath: path))
                if relative.hasPrefix("var/db/pkg/"), relative.hasSuffix("/CONTENTS") {
                    // Line order is the order of the merge walk (readdir order, symlinks to files not merged yet last
                    // in Portage): the same lines in any order are the same CONTENTS.
                    data = Data(String(decoding: data, as: UTF8.self).split(separator: "\n").sorted().joined(separator: "\n").utf8)
                }
                if relative.hasPrefix("var/db/pkg/"), relative.hasSuffix("/metadata") {
                    data = Data(String(decoding: data, as: UTF8.self).split(separator: "\n")
                        .filter { !$0.hasPrefix("#dir_mtime=") && !$0.hasPrefix("COUNTER=") }.joined(separator: "\n").utf8)
                }
                result["/" + relative] = Node(kind: "obj", mode: info.st_mode & 0o7777, owner: owner,
                                              content: "\(data.count) \(try Digest.hex(.sha256, of: data))", mtime: Int(info.st_mtim.tv_sec))
            default: result["/" + relative] = Node(kind: "other", mode: info.st_mode & 0o7777, owner: owner, content: "\(info.st_rdev)")
            }
        }
        return result
    }

    @Test func theSameBinpkgsGiveTheSameRootAsEmerge() async throws {
        // Given the example farm built once (its binpkgs in the PKGDIR)
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // (xpak: with gpkg, emerge merges a symlink whose target is not merged yet after the other files, in its image
        // directory's listing order, and records its merge time; docs/binpkg.md#root-assembly says so)
        try farm.replace(in: "profiles/PIII/make.conf", "BINPKG_FORMAT=\"gpkg\"", with: "BINPKG_FORMAT=\"xpak\"")
        // (waited for on a thread of its own: a blocked cooperative thread would stall every other suite's tasks)
        let config = farm.config.path
        let (status, output) = try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, ["build", "--plain", "--config", config, "PIII"]) }
        try #require(status == 0, "\(output)")
        let loaded = try Farm.load(configPath: farm.config.path)
        let workspace = try #require(try loaded.seeded(try loaded.workspaces(["PIII"])).first)
        let store = try loaded.openStore()
        // When the same resolved binpkgs are installed over the stage by emerge and by farmctl's merger
        var roots: [Merger: String] = [:]
        for merger in [Merger.emerge, .farmctl] {
            var settings = loaded.settings
            settings.merger = merger
            let assembler = Assembler(settings: settings, transport: LocalTransport(), store: store, events: { _ in })
            let resolved = try await assembler.resolveBinpkgs(workspace)
            #expect(resolved.count == 9)
            let root = farm.url("compare-\(merger.rawValue)").path
            try await assembler.install(workspace, resolved: resolved, into: root, number: 99)
            roots[merger] = root
        }
        // Then both roots hold the same paths with the same types, modes, owners, contents and mtimes
        let emerged = try Self.nodes(roots[.emerge]!)
        let merged = try Self.nodes(roots[.farmctl]!)
        let vdb = VarDB.path(ofRoot: roots[.emerge]!)
        let packageFiles = Set(VarDB.installed(vdb).keys.flatMap { RootMerge.contents(of: "\(vdb)/\($0)").map(\.path) })
        var differences: [String] = []
        for path in Set(emerged.keys).union(merged.keys).sorted() where !Self.mayDiffer(path) {
            var a = emerged[path], b = merged[path]
            if !packageFiles.contains(path) { a?.mtime = 0; b?.mtime = 0 }
            if a != b {
                differences.append("\(path): emerge \(a.map(\.description) ?? "absent"), farmctl \(b.map(\.description) ?? "absent")")
                if path.hasSuffix("/CONTENTS"), differences.count == 1 {
                    let texts = [roots[.emerge]!, roots[.farmctl]!].map { (try? String(contentsOfFile: $0 + path, encoding: .utf8)) ?? "" }
                    differences.append("emerge's:\n\(texts[0])farmctl's:\n\(texts[1])")
                }
            }
        }
        #expect(differences.isEmpty, "\(differences.count) differences:\n\(differences.prefix(40).joined(separator: "\n"))")
        // and farmctl's COUNTERs are distinct, the counter file holding the largest
        let mergedVDB = VarDB.path(ofRoot: roots[.farmctl]!)
        let counters = try VarDB.installed(mergedVDB).keys.map { try String(contentsOfFile: "\(mergedVDB)/\($0)/COUNTER", encoding: .utf8) }.compactMap { Int($0) }
        #expect(Set(counters).count == 9)
        #expect(try String(contentsOfFile: roots[.farmctl]! + "/var/cache/edb/counter", encoding: .utf8) == "\(counters.max() ?? -1)")
    }
}
