import FarmConfig
import Foundation
import Seed
import Testing
import TestSupport

/// Seed stages: digest, one extraction into the cache, the userland checks, and every bad stage refused with the
/// stage named, the fix, and nothing left in the cache.
struct SeedStageTests {
    /// A temp directory with a stage tarball made from the fixture, and the cache directory.
    struct Given {
        let directory: URL
        var tarball: URL { directory.appendingPathComponent("stage.tar.zst") }
        var cache: URL { directory.appendingPathComponent("cache") }
        var tree: URL { directory.appendingPathComponent("tree") }

        init(shell: StageFixture.Shell = .i386, packages: [String] = [], pack: Bool = true) throws {
            directory = try Fixtures.temporaryDirectory("seed")
            try StageFixture.makeDirectory(directory.appendingPathComponent("tree"), shell: shell, services: ["kmod"], packages: packages)
            if pack { try StageFixture.pack(directory.appendingPathComponent("tree"), to: directory.appendingPathComponent("stage.tar.zst")) }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }

        /// Whatever the cache holds (a refused stage must leave nothing, not even a half-extracted directory).
        func cacheEntries() -> [String] { (try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? [] }

        func refusal(_ url: URL, arch: Arch = .x86) -> SeedError? {
            do {
                _ = try SeedStage.prepare(url, arch: arch, cache: cache, origin: "class.toml:7")
                return nil
            } catch { return error }
        }
    }

    @Test func aTarballIsDigestedExtractedOnceAndChecked() throws {
        // Given a stage tarball whose vdb holds one package
        let given = try Given(packages: ["dev-libs/libstr-1.0"])
        defer { given.remove() }
        // When it is prepared twice
        let first = try SeedStage.prepare(given.tarball, arch: .x86, cache: given.cache, origin: "class.toml:7")
        let modified = try FileManager.default.attributesOfItem(atPath: first.root)[.modificationDate] as? Date
        let second = try SeedStage.prepare(given.tarball, arch: .x86, cache: given.cache, origin: "class.toml:7")
        // Then the digest is the tarball's SHA-256, the extraction is reused, links and the vdb are there
        #expect(first.digest.hasPrefix("sha256:") && first.digest.count == 7 + 64)
        #expect(first == second)
        #expect(try FileManager.default.attributesOfItem(atPath: second.root)[.modificationDate] as? Date == modified)
        #expect(given.cacheEntries() == [String(first.digest.dropFirst(7))])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: first.root + "/lib") == "usr/lib")
        #expect(first.packages == ["dev-libs/libstr-1.0"])
        #expect(first.shell.bits == 32 && first.shell.machine == 3 && first.shell.interpreter == nil)
    }

    @Test func aDirectoryIsUsedInPlaceAndItsDigestFollowsItsContent() throws {
        // Given a stage directory
        let given = try Given(pack: false)
        defer { given.remove() }
        let before = try SeedStage.prepare(given.tree, arch: .x86, cache: given.cache, origin: "class.toml:7")
        // When one of its files changes
        try "stage 2\n".write(to: given.tree.appendingPathComponent("etc/stage-release"), atomically: true, encoding: .utf8)
        let after = try SeedStage.prepare(given.tree, arch: .x86, cache: given.cache, origin: "class.toml:7")
        // Then it is not copied to the cache and its digest changed
        #expect(before.root == given.tree.path && given.cacheEntries().isEmpty)
        #expect(before.digest != after.digest)
    }

    @Test func aMissingStageNamesTheSettingAndTheScript() throws {
        let given = try Given(pack: false)
        defer { given.remove() }
        let error = try #require(given.refusal(given.directory.appendingPathComponent("nope.tar.xz")))
        #expect(error.problem.contains("class.toml:7") && error.problem.contains("nope.tar.xz") && error.problem.contains("does not exist"))
        #expect(error.fix.contains("make-stage.sh"))
    }

    @Test func aFileThatIsNoTarballIsRefused() throws {
        let given = try Given(pack: false)
        defer { given.remove() }
        let file = given.directory.appendingPathComponent("stage.tar.xz")
        try String(repeating: "not a tarball\n", count: 100).write(to: file, atomically: true, encoding: .utf8)
        let error = try #require(given.refusal(file))
        #expect(error.problem.contains("stage.tar.xz") && error.problem.contains("not a tarball"))
        #expect(given.cacheEntries().isEmpty)
    }

    @Test func aTruncatedTarballIsRefusedAndLeavesNothing() throws {
        let given = try Given()
        defer { given.remove() }
        let data = try Data(contentsOf: given.tarball)
        try data.prefix(data.count / 2).write(to: given.tarball)
        let error = try #require(given.refusal(given.tarball))
        #expect(error.problem.contains("stage.tar.zst"), "\(error)")
        #expect(given.cacheEntries().isEmpty, "\(given.cacheEntries())")
    }

    @Test(arguments: ["absolute", "dotdot", "escaping-link"])
    func unsafeMembersAreRefusedBeforeAnythingIsKept(_ kind: String) throws {
        // Given a tarball with one hostile member
        let given = try Given(pack: false)
        defer { given.remove() }
        let tarball = given.directory.appendingPathComponent("hostile.tar.gz")
        try StageFixture.hostileTarball(kind, to: tarball)
        // When it is prepared, then it is refused naming the member, and the cache holds nothing
        let error = try #require(given.refusal(tarball))
        #expect(error.problem.contains("hostile.tar.gz") && error.problem.contains("unsafe member"), "\(error)")
        #expect(error.problem.contains(["absolute": "/etc/passwd", "dotdot": "escape", "escaping-link": "etc/evil"][kind]!), "\(error)")
        #expect(given.cacheEntries().isEmpty)
    }

    @Test func aStageWithoutShellIsRefused() throws {
        let given = try Given(shell: .none)
        defer { given.remove() }
        let error = try #require(given.refusal(given.tarball))
        #expect(error.problem.contains("has no /bin/sh"), "\(error)")
    }

    @Test func aSixtyFourBitShellIsRefusedForAnX86Class() throws {
        let given = try Given(shell: .x86_64)
        defer { given.remove() }
        let error = try #require(given.refusal(given.tarball))
        #expect(error.problem.contains("64-bit x86-64") && error.problem.contains("arch x86"), "\(error)")
        #expect(error.fix.contains("stage3-i686"))
        // and the same stage suits an amd64 class
        #expect(given.refusal(given.tarball, arch: .amd64) == nil)
    }

    @Test func aShellWhoseInterpreterIsMissingIsRefused() throws {
        let given = try Given(shell: .i386MissingInterpreter)
        defer { given.remove() }
        let error = try #require(given.refusal(given.tarball))
        #expect(error.problem.contains("ELF interpreter /lib/ld-linux.so.2 is not in the stage"), "\(error)")
    }

    @Test func rootPathsResolveInsideTheRoot() throws {
        let given = try Given(pack: false)
        defer { given.remove() }
        let root = given.tree.path
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/abs", withDestinationPath: "/usr/bin/dash")
        try FileManager.default.createSymbolicLink(atPath: root + "/etc/out", withDestinationPath: "../../../../../bin/sh")
        #expect(RootPath.resolve("/bin/sh", in: root) == root + "/usr/bin/dash")
        #expect(RootPath.resolve("/etc/abs", in: root) == root + "/usr/bin/dash")
        #expect(RootPath.resolve("/etc/out", in: root) == nil)
        #expect(RootPath.resolve("/etc/none", in: root) == nil)
    }
}
