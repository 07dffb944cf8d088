import FarmModel
import Foundation
import Store
import Testing
import TestSupport
@testable import Farm

/// `[base] stage`: every root starts from the class's seed stage, with the farm's packages, kernel and overlays on
/// top; a changed stage makes a new generation; the stage's own packages are neither built nor installed again.
/// Fixture stages here; the real example stage (debootstrap) in RealStageTests.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct SeedStageEndToEndTests {
    let farmctl = Fixtures.farmctl

    func build(_ farm: ExampleFarm) async throws -> BuildSummary {
        try await Farm.load(configPath: farm.config.path).build(classes: ["PIII"], verbose: false) { _ in }
    }

    @Test func theRootStartsFromTheStageAndANewStageMakesANewGenerationThatDiffExplains() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given the example PIII class on a fixture stage, When it is built
        #expect(try await build(farm).classes.first?.outcome == .published(generation: 1))
        // Then the root holds the stage's userland under the farm's packages, the stage's links kept
        let root = farm.url("var/roots/PIII/current").path
        let fm = FileManager.default
        #expect(try farm.read("var/roots/PIII/current/etc/stage-release") == "stage 1\n")
        #expect(try fm.destinationOfSymbolicLink(atPath: root + "/bin") == "usr/bin")
        #expect(fm.isExecutableFile(atPath: root + "/usr/bin/dash") && fm.isExecutableFile(atPath: root + "/usr/sbin/init"))
        #expect(fm.isExecutableFile(atPath: root + "/usr/bin/nodereport"), "the farm's program lands through the bin link")
        // and farmctl's own `local` service, the overlay's poweroff in local.d, and a read-only `/` in fstab with the server
        #expect(try farm.read("var/roots/PIII/current/etc/init.d/local").contains("/etc/local.d/*.\"$1\""))
        #expect(fm.isExecutableFile(atPath: root + "/etc/local.d/poweroff.stop"))
        let fstab = try farm.read("var/roots/PIII/current/etc/fstab")
        #expect(fstab.contains("/dev/nfs                /                   nfs     ro"))
        #expect(fstab.contains("10.0.2.2:/home") && !fstab.contains("SERVER:"), "\(fstab)")
        // and the store and `roots list` know the stage by its digest
        let loaded = try Farm.load(configPath: farm.config.path)
        let first = try #require(try loaded.listGenerations(class: "PIII").first?.stage)
        #expect(first.hasPrefix("sha256:"))
        let (status, listed) = try ExampleFarm.run(farmctl, ["roots", "list", "PIII", "--config", farm.config.path])
        #expect(status == 0 && listed.contains("stage \(first.prefix(19))"), "\(listed)")

        // When it is built again with nothing changed, Then nothing is rebuilt and the root stays
        #expect(try await build(farm).classes.first?.outcome == .unchanged(generation: 1))

        // When the stage changes
        try farm.makeStage(marker: "stage 2")
        let summary = try await build(farm)
        // Then a new generation starts from the new stage (the class's packages built again against it)
        #expect(summary.classes.first?.outcome == .published(generation: 2))
        #expect(try farm.read("var/roots/PIII/current/etc/stage-release") == "stage 2\n")
        let second = try #require(try loaded.listGenerations(class: "PIII").first?.stage)
        #expect(second != first)
        // and `roots diff` says the stage changed, old → new
        let (diffStatus, diff) = try ExampleFarm.run(farmctl, ["roots", "diff", "PIII", "1", "2", "--config", farm.config.path])
        #expect(diffStatus == 0 && diff.contains("stage changed: \(first) → \(second)"), "\(diff)")
        let (_, query) = try ExampleFarm.run(farmctl, ["query", "root", "PIII", "--config", farm.config.path])
        #expect(query.contains("seed stage: \(second)"), "\(query)")
        // and gc deletes the old stage's extraction, keeping the one the class names now
        let report = try await loaded.gc(dryRun: false, wait: false) { _ in }
        #expect(report.stages == [farm.url("var/seed-stages/\(first.dropFirst(7))").path], "\(report.stages)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: farm.url("var/seed-stages").path) == [String(second.dropFirst(7))])
    }

    @Test func aPackageTheStageAlreadyHasIsNeitherBuiltNorInstalledAgain() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given a stage whose vdb holds dev-libs/libstr-1.0 with its files (compiled here from the farm's distfile)
        try farm.makeStage(packages: ["dev-libs/libstr-1.0"]) { tree in
            let work = try Fixtures.temporaryDirectory("libstr")
            defer { try? FileManager.default.removeItem(at: work) }
            let script = """
                set -e; cd \(work.path); tar xzf \(farm.url("mirror/libstr-1.0.tar.gz").path); cd libstr-1.0
                gcc -m32 -O2 -fPIC -shared -Wl,-soname,libstr.so.1 -o \(tree.path)/usr/lib/libstr.so.1 str.c
                ln -s libstr.so.1 \(tree.path)/usr/lib/libstr.so; mkdir -p \(tree.path)/usr/include; cp str.h \(tree.path)/usr/include/
                """
            let (status, output) = try ExampleFarm.run("/bin/bash", ["-c", script])
            guard status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: output]) }
            try StageFixture.vdbEntry("dev-libs/libstr-1.0", in: tree,
                                      contents: "obj /usr/lib/libstr.so.1 0 0\nsym /usr/lib/libstr.so -> libstr.so.1 0\nobj /usr/include/str.h 0 0\n")
        }
        // When PIII is built
        let summary = try await build(farm)
        #expect(summary.classes.first?.outcome == .published(generation: 1), "\(summary)")
        // Then libstr was not built, the root holds the stage's libstr and the generation's binpkgs leave it out
        let store = try Farm.load(configPath: farm.config.path).openStore()
        let built = try store.builds().map(\.cpv)
        #expect(!built.contains("dev-libs/libstr-1.0") && built.contains("app-misc/cfgdump-1.0"), "\(built)")
        let generation = try #require(try store.generation(class: ClassName("PIII")!, number: 1))
        let packages = try store.packages(inGeneration: generation.id!).map(\.cpv)
        #expect(!packages.contains("dev-libs/libstr-1.0") && packages.contains("dev-libs/libcsv-1.0"), "\(packages)")
        #expect(try farm.read("var/roots/PIII/current/var/db/pkg/dev-libs/libstr-1.0/DESCRIPTION") == "from the seed stage\n")
        #expect(FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/current/usr/bin/cfgdump").path))
    }

    @Test func aServiceTheRootLacksStopsThePublish() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given PIII starts sshd, which neither the stage nor the farm's packages provide
        try farm.replace(in: "profiles/PIII/class.toml", "services = [\"local\", \"kmod\"]", with: "services = [\"local\", \"kmod\", \"sshd\"]")
        // When it is built, Then the class fails naming the service and nothing is published
        let outcome = try await build(farm).classes.first?.outcome
        guard case .failed(let reason) = outcome else { Issue.record("published without sshd: \(String(describing: outcome))"); return }
        #expect(reason.contains("[boot] services lists sshd, which the root has no /etc/init.d script for"), "\(reason)")
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/current").path))
    }
}
