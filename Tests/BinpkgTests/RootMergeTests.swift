import Binpkg
import FarmModel
import Foundation
import Testing
import TestSupport

/// `RootMerge` on images made here: collisions, CONFIG_PROTECT, replacing a version, unmerge (issue 17).
/// MergerComparisonTests (FarmTests) compares whole roots with emerge's.
@Suite struct RootMergeTests {
    let directory: URL
    var root: String { directory.appendingPathComponent("root").path }

    init() throws {
        directory = try Fixtures.temporaryDirectory("root-merge")
        try FileManager.default.createDirectory(atPath: directory.appendingPathComponent("root/etc").path, withIntermediateDirectories: true)
    }

    /// An image directory holding `files` (path → content) and `links` (path → target).
    func image(_ name: String, _ files: [String: String], links: [String: String] = [:]) throws -> String {
        let image = directory.appendingPathComponent("images/\(name)").path
        for (path, content) in files {
            try FileManager.default.createDirectory(atPath: ((image + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try content.write(toFile: image + path, atomically: true, encoding: .utf8)
        }
        for (path, target) in links {
            try FileManager.default.createDirectory(atPath: ((image + path) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: image + path, withDestinationPath: target)
        }
        return image
    }

    func metadata(_ cpv: String) -> [String: Data] {
        let parsed = CPV(cpv)!
        return ["CATEGORY": Data((parsed.category + "\n").utf8), "PF": Data((parsed.pf + "\n").utf8), "SLOT": Data("0\n".utf8)]
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: root + path, encoding: .utf8) }

    @Test func aPackageIsMergedWithItsVdbEntryAndAnotherPackagesFileIsACollision() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given an empty root, When a package with a file and a symlink is merged
        var merge = try RootMerge(root: root, protect: ["/etc"], mask: [])
        try merge.merge(image: try image("a", ["/usr/lib/liba.so.1": "a1"], links: ["/usr/lib/liba.so": "liba.so.1"]),
                        cpv: CPV("dev-libs/liba-1")!, metadata: metadata("dev-libs/liba-1"), binpkgMD5: "00")
        try merge.finish(addingToWorld: ["dev-libs/liba"])
        // Then the files are in the root and the vdb entry lists them with Portage's CONTENTS lines
        #expect(read("/usr/lib/liba.so.1") == "a1")
        let contents = RootMerge.contents(of: root + "/var/db/pkg/dev-libs/liba-1")
        #expect(contents.map(\.kind).sorted() == ["dir", "dir", "obj", "sym"])
        #expect(contents.first { $0.kind == "sym" }?.target == "liba.so.1")
        #expect(read("/var/db/pkg/dev-libs/liba-1/COUNTER") == "1" && read("/var/cache/edb/counter") == "1")
        #expect(read("/var/db/pkg/dev-libs/liba-1/metadata")?.contains("#dir_mtime=") == true)
        #expect(read("/var/lib/portage/world") == "dev-libs/liba\n")
        // When another package ships the same file, Then it is refused naming both packages
        var again = try RootMerge(root: root, protect: ["/etc"], mask: [])
        #expect {
            try again.merge(image: try image("b", ["/usr/lib/liba.so.1": "b"]), cpv: CPV("dev-libs/libb-1")!,
                            metadata: metadata("dev-libs/libb-1"), binpkgMD5: "00")
        } throws: { ($0 as? Problem)?.problem.contains("also installed by dev-libs/liba-1") == true }
    }

    @Test func aProtectedFileThatDiffersIsWrittenBesideItAndKeptOnUnmerge() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a root whose /etc/app.conf the admin wrote (owned by no package)
        try "mine\n".write(toFile: root + "/etc/app.conf", atomically: true, encoding: .utf8)
        var merge = try RootMerge(root: root, protect: ["/etc"], mask: ["/etc/env.d"])
        // When a package ships /etc/app.conf and /etc/env.d/50app
        try merge.merge(image: try image("app", ["/etc/app.conf": "theirs\n", "/etc/env.d/50app": "X=1\n", "/usr/bin/app": "bin"]),
                        cpv: CPV("app-misc/app-1")!, metadata: metadata("app-misc/app-1"), binpkgMD5: "00")
        // Then the admin's file stays, the package's goes beside it as ._cfg0000_, and the masked path is written
        #expect(read("/etc/app.conf") == "mine\n" && read("/etc/._cfg0000_app.conf") == "theirs\n")
        #expect(read("/etc/env.d/50app") == "X=1\n")
        // When the package is unmerged, Then its files go (the masked one too) but the protected file stays, and empty
        // directories go
        try merge.unmerge("app-misc/app-1")
        #expect(read("/usr/bin/app") == nil && !FileManager.default.fileExists(atPath: root + "/usr/bin"))
        #expect(read("/etc/app.conf") == "mine\n" && read("/etc/env.d/50app") == nil)
        #expect(!FileManager.default.fileExists(atPath: root + "/var/db/pkg/app-misc/app-1"))
    }

    @Test func aNewVersionReplacesTheOldOneAndItsDroppedFilesGo() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given version 1 with two files
        var merge = try RootMerge(root: root, protect: ["/etc"], mask: [])
        try merge.merge(image: try image("v1", ["/usr/bin/tool": "1", "/usr/share/tool/old": "old"]), cpv: CPV("app-misc/tool-1")!,
                        metadata: metadata("app-misc/tool-1"), binpkgMD5: "00")
        // When version 2 (without the old data file) replaces it
        try merge.merge(image: try image("v2", ["/usr/bin/tool": "2"]), cpv: CPV("app-misc/tool-2")!,
                        metadata: metadata("app-misc/tool-2"), binpkgMD5: "00", replacing: "app-misc/tool-1")
        // Then the tool is version 2, the dropped file and its directory are gone, one vdb entry remains
        #expect(read("/usr/bin/tool") == "2" && read("/usr/share/tool/old") == nil)
        #expect(!FileManager.default.fileExists(atPath: root + "/usr/share/tool"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/var/db/pkg/app-misc") == ["tool-2"])
        #expect(read("/var/db/pkg/app-misc/tool-2/COUNTER") == "2")
    }
}
