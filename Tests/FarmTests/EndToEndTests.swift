import Binpkg
import FarmModel
import Foundation
import Store
import Workers
import Testing
import TestSupport
@testable import Farm

/// `farmctl build` on a copy of the example farm with the real emerge, linux32 and gcc -m32.
/// Serialized: Portage's host side (build-only dependencies) lives in the shared venv.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct EndToEndTests {
    let farmctl = Fixtures.farmctl

    func build(_ farm: ExampleFarm, _ classes: [String] = ["PIII", "AthlonXP"]) async throws -> BuildSummary {
        try await Farm.load(configPath: farm.config.path).build(classes: classes, verbose: false) { _ in }
    }

    func outcome(_ summary: BuildSummary, _ name: String) -> ClassOutcome? {
        summary.classes.first { $0.nodeClass.rawValue == name }?.outcome
    }

    @Test func buildsTwoI686RootsThenNothingThenOnlyWhatChanged() async throws {
        let farm = try ExampleFarm()
        defer { if ProcessInfo.processInfo.environment["FARMCTL_KEEP_TEST_FARM"] == nil { farm.remove() } }

        // Given a fresh copy of the example farm, When both classes are built
        let first = try await build(farm)

        // Then both publish generation 1 through `current`
        #expect(outcome(first, "PIII") == .published(generation: 1))
        #expect(outcome(first, "AthlonXP") == .published(generation: 1))
        let loaded = try Farm.load(configPath: farm.config.path)
        for name in ["PIII", "AthlonXP"] {
            let root = farm.url("var/roots/\(name)/current")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.path) == "1")
            // the root's var/db/pkg matches `query root`
            let (_, packages) = try loaded.rootPackages(class: name, generation: nil)
            #expect(Set(try RootTree.installedPackages(root)) == Set(packages.map(\.cpv)))
            #expect(packages.count == 9)
            // its binaries are 32-bit x86
            let (_, file) = try ExampleFarm.run("/usr/bin/file", ["-L", root.appendingPathComponent("usr/bin/fhsum").path])
            #expect(file.contains("ELF 32-bit LSB") && file.contains("Intel 80386"))
            // the shared overlay is there, stateless.sh executable
            #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("boot/stateless.sh").path))
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("etc/fstab").path))
            #expect(try farm.read("var/roots/\(name)/current/etc/local.d/poweroff.stop").contains("poweroff -f"))
            // each binpkg carries its own class's -march, read from the binpkg itself
            let march = name == "PIII" ? "-march=pentium3" : "-march=athlon-xp"
            for package in packages {
                let build = try #require(try loaded.buildHistory(class: name).first { $0.id == package.buildId })
                let metadata = try BinaryPackage(contentsOf: URL(fileURLWithPath: try #require(build.binpkgPath))).metadata
                #expect(metadata.cflags?.contains(march) == true, "\(package.cpv)")
                #expect(build.cflags?.contains(march) == true)
            }
        }
        // and each root passes its class's ISA audit: no instruction its -march lacks (cpubench's -msse / -m3dnow included)
        for name in ["PIII", "AthlonXP"] {
            let audit = try await loaded.auditRoot(class: name, generation: nil)
            #expect(audit.report.passed, "\(name): \(audit.report.failing)")
            #expect(audit.report.filesScanned >= 6, "\(name): \(audit.report.filesScanned) ELF files")
        }
        // the network-boot files follow: one read-only export per class root for the cluster network
        let exports = try farm.read("var/exports")
        for name in ["PIII", "AthlonXP"] {
            #expect(exports.contains("\(farm.url("var/roots/\(name)").path) 127.0.0.0/8(ro,"), "\(exports)")
        }
        #expect(FileManager.default.fileExists(atPath: farm.url("var/tftp/pxelinux.cfg/default").path))
        // the build-only dependency was built once, on Portage's host side, and is in no root
        let history = try loaded.buildHistory(class: nil)
        #expect(history.filter { $0.cpv.hasPrefix("dev-util/mktable") }.count <= 1)
        #expect(try loaded.locations(of: "dev-util/mktable").isEmpty)

        // When the same build runs again
        let buildsBefore = history.count
        let second = try await build(farm)
        // Then no emerge build runs and no generation is made
        #expect(second.classes.allSatisfy { $0.built == 0 })
        #expect(outcome(second, "PIII") == .unchanged(generation: 1))
        #expect(outcome(second, "AthlonXP") == .unchanged(generation: 1))
        #expect(try loaded.buildHistory(class: nil).count == buildsBefore)
        #expect(second.seconds < first.seconds / 4)

        // When PIII's USE changes (threads on)
        try farm.replace(in: "profiles/PIII/make.conf", "USE=\"-threads", with: "USE=\"threads")
        let third = try await build(farm)
        // Then exactly cpubench is rebuilt for PIII, PIII gets generation 2, AthlonXP is unchanged
        let rebuilt = try loaded.buildHistory(class: nil).prefix(while: { $0.id! > Int64(buildsBefore) }).map(\.cpv)
        #expect(rebuilt == ["app-misc/cpubench-1.0"])
        #expect(outcome(third, "PIII") == .published(generation: 2))
        #expect(outcome(third, "AthlonXP") == .unchanged(generation: 1))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: farm.url("var/roots/PIII/current").path) == "2")

        // When AthlonXP's CFLAGS change (Portage itself does not notice)
        try farm.replace(in: "profiles/AthlonXP/make.conf", "-O2 -march=athlon-xp", with: "-O3 -march=athlon-xp")
        let fourth = try await build(farm)
        // Then every AthlonXP package is rebuilt with the new flags and published; PIII is unchanged
        #expect(fourth.classes.first { $0.nodeClass.rawValue == "AthlonXP" }?.built == 9)
        #expect(outcome(fourth, "AthlonXP") == .published(generation: 2))
        #expect(outcome(fourth, "PIII") == .unchanged(generation: 2))
        let (_, athlon) = try loaded.rootPackages(class: "AthlonXP", generation: nil)
        #expect(athlon.allSatisfy { $0.cflags?.hasPrefix("-O3") == true })

        // When an ebuild is bumped (a new revision of fhsum)
        let fhsum = "repo/app-misc/fhsum"
        try FileManager.default.copyItem(at: farm.url("\(fhsum)/fhsum-1.0.ebuild"), to: farm.url("\(fhsum)/fhsum-1.0-r1.ebuild"))
        let fifth = try await build(farm)
        // Then both classes build just fhsum-1.0-r1 and publish it
        for name in ["PIII", "AthlonXP"] {
            #expect(fifth.classes.first { $0.nodeClass.rawValue == name }?.built == 1)
            #expect(try loaded.locations(of: "=app-misc/fhsum-1.0-r1").contains { $0.class == name })
        }

        // When a new revision of cpubench fails to build for AthlonXP only (it dies with CPU_FLAGS_X86=3dnow)
        let cpubench = "repo/app-misc/cpubench"
        let ebuild = try farm.read("\(cpubench)/cpubench-1.0.ebuild")
            .replacingOccurrences(of: "src_compile() {\n", with: "src_compile() {\n\tuse cpu_flags_x86_3dnow && die \"injected failure\"\n")
        try farm.write("\(cpubench)/cpubench-1.0-r1.ebuild", ebuild)
        let athlonBefore = try FileManager.default.destinationOfSymbolicLink(atPath: farm.url("var/roots/AthlonXP/current").path)
        let sixth = try await build(farm)
        // Then AthlonXP fails and keeps its current root; PIII goes on and publishes the new revision
        guard case .failed(let reason) = outcome(sixth, "AthlonXP") else { Issue.record("AthlonXP did not fail"); return }
        #expect(reason.contains("cpubench-1.0-r1"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: farm.url("var/roots/AthlonXP/current").path) == athlonBefore)
        #expect(outcome(sixth, "PIII") == .published(generation: 4))
        let failedBuild = try #require(try loaded.buildHistory(class: "AthlonXP").first)
        #expect(failedBuild.status == .failed && failedBuild.exitStatus == 1)
        #expect(try String(contentsOfFile: failedBuild.logPath, encoding: .utf8).contains("injected failure"))

        // PIII's generations 2…4 were each made from a copy of the previous one plus the changed packages:
        // generation 4 is file for file what a fresh assembly of the same binpkgs gives
        let fresh = try Fixtures.temporaryDirectory("fresh-root")
        defer { if ProcessInfo.processInfo.environment["FARMCTL_KEEP_TEST_FARM"] == nil { try? FileManager.default.removeItem(at: fresh) } }
        let profile = try #require(try loaded.profiles(named: ["PIII"]).first)
        let workspace = try loaded.seeded([ClassWorkspace(profile: profile, settings: loaded.settings, worker: loaded.settings.coordinator,
                                                          repositories: try loaded.repositories(), emerge: ExampleFarm.emerge)])[0]
        let assembler = Assembler(settings: loaded.settings, transport: LocalTransport(), store: try loaded.openStore(), events: { _ in })
        let resolved = try await assembler.resolveBinpkgs(workspace)
        try await assembler.install(workspace, resolved: resolved, into: fresh.appendingPathComponent("root").path, number: 99)
        let kernel = try #require(await loaded.buildKernels([workspace]) { _ in }[workspace.nodeClass]).get()
        try await assembler.finish(workspace, kernel: kernel, root: fresh.appendingPathComponent("root").path)
        let incremental = try RootTree(farm.url("var/roots/PIII/4"))
        let full = try RootTree(fresh.appendingPathComponent("root"))
        #expect(incremental.differences(from: full).isEmpty, "\(incremental.differences(from: full).prefix(20))")

        // When a profile is broken, Then the run fails with an error naming the file and line, and nothing changes
        let rootsBefore = try snapshot(farm.url("var/roots"))
        let storeBefore = try loaded.buildHistory(class: nil).count
        try farm.append(to: "profiles/PIII/packages", "not an atom\n")
        let (status, output) = try ExampleFarm.run(farmctl, ["build", "--plain", "--config", farm.config.path])
        #expect(status == 2)
        #expect(output.contains("profiles/PIII/packages:") && output.contains("fix:"))
        #expect(try snapshot(farm.url("var/roots")) == rootsBefore)
        #expect(try loaded.buildHistory(class: nil).count == storeBefore)
        #expect(try loaded.openStore().integrityCheck() == ["ok"])
    }

    /// Every path and symlink target below a directory.
    func snapshot(_ directory: URL) throws -> [String] {
        let fm = FileManager.default
        return (fm.enumerator(atPath: directory.path)?.allObjects as? [String] ?? []).sorted().map { path in
            let full = directory.appendingPathComponent(path).path
            return (try? fm.destinationOfSymbolicLink(atPath: full)).map { "\(path) -> \($0)" } ?? path
        }
    }
}
