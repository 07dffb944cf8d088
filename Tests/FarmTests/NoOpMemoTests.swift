import FarmModel
import Foundation
import Testing
import TestSupport
@testable import Farm

/// The no-op memo's key (issue 17): every input a class's plan depends on changes it; nothing else does.
@Suite(.enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct NoOpMemoTests {
    /// PIII's key in `farm` now.
    func key(_ farm: ExampleFarm) async throws -> String {
        let loaded = try Farm.load(configPath: farm.config.path)
        let workspace = try #require(try loaded.workspaces(["PIII"]).first)
        var states: [RepositoryState] = []
        for repository in workspace.tree.repositories { states.append(try await RepositoryState.read(repository)) }
        return try NoOpMemo(settings: loaded.settings, repositories: states).key(workspace)
    }

    @Test func eachInputOfAPlanChangesTheKeyAndNothingElseDoes() async throws {
        // Given a copy of the example farm and PIII's key
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let workspace = try #require(try Farm.load(configPath: farm.config.path).workspaces(["PIII"]).first)
        let fm = FileManager.default
        func touchFile(_ path: String) throws {
            try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "changed \(UUID())\n".write(toFile: path, atomically: true, encoding: .utf8)
        }
        var keys = [try await key(farm)]
        // When nothing changes, or only another class's profile, or the generated config root, the key stays
        #expect(try await key(farm) == keys[0])
        try farm.append(to: "profiles/AthlonXP/make.conf", "# another class\n")
        try touchFile(workspace.tree.configRoot + "/etc/portage/make.conf")
        #expect(try await key(farm) == keys[0])
        // When each input changes in turn, then each gives a key never seen before
        let changes: [(String, () throws -> Void)] = [
            ("workers.conf", { try farm.append(to: "workers.conf", "# edited\n") }),
            ("an ebuild repository", { try farm.write("repo/app-misc/fhsum/metadata.xml", "<pkgmetadata/>\n") }),
            ("the class's make.conf", { try farm.append(to: "profiles/PIII/make.conf", "# edited\n") }),
            ("a shared overlay", { try touchFile(farm.url("overlays/diskless/etc/motd").path) }),
            ("the seed stage", { try farm.makeStage(marker: "stage 2") }),
            ("a kernel fragment", { try farm.append(to: "kernel/config/cpu-PIII.fragment", "# edited\n") }),
            ("a kernel module's source", { try farm.append(to: "kernel/module/farmmark/farmmark.c", "/* edited */\n") }),
            ("the kernel source", { try touchFile(farm.url("kernel-tree/NEWFILE").path) }),
            ("the staging root's stamp", { try touchFile(workspace.stagingStampPath) }),
            ("the staging root's vdb", { try touchFile(workspace.tree.stagingRoot + "/var/db/pkg/app-misc/x-1/CONTENTS") }),
            ("the PKGDIR", { try touchFile(workspace.tree.pkgdir + "/Packages") }),
            ("the host side's PKGDIR", { try touchFile(workspace.tree.hostPkgdir + "/Packages") }),
            ("`current`", {
                try fm.createDirectory(atPath: workspace.rootsDirectory + "/1", withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: workspace.rootsDirectory + "/current", withDestinationPath: "1")
            }),
        ]
        for (what, change) in changes {
            try change()
            let now = try await key(farm)
            #expect(!keys.contains(now), "changing \(what) kept a key seen before")
            keys.append(now)
        }
    }
}
