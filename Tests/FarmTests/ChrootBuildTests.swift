import FarmModel
import Foundation
import Seed
import Testing
import TestSupport
@testable import Farm

/// Class PIII built in chroot mode on the real example stage (scripts/make-stage.sh), as `make demo` builds it: its
/// build root made from the stage (apt-get fetches the compiler: needs the network), packages compiled under
/// `linux32 chroot` in a private mount and PID namespace, compared with the same package built on the host.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled && getuid() == 0, "needs root and `make bootstrap`"))
struct ChrootBuildTests {
    /// The example farm on the real stage with only `packages` in PIII's set.
    func farm(chroot: Bool, packages: String) throws -> ExampleFarm {
        let stage = try RealStageTests.exampleStage()
        let farm = try ExampleFarm(chrootBuilds: chroot)
        try farm.replace(in: "profiles/PIII/class.toml", "stage = \"../../\(ExampleFarm.stagePath)\"", with: "stage = \"\(stage)\"")
        try farm.write("profiles/PIII/packages", packages + "\n")
        return farm
    }

    /// The instructions of `binary` (objdump) that need SSE2 or later: a Pentium III has SSE only.
    static func sse2Instructions(_ binary: String) throws -> [String] {
        let (status, output) = try ExampleFarm.run("/usr/bin/objdump", ["-d", "--no-show-raw-insn", binary])
        #expect(status == 0, "objdump: \(output.prefix(500))")
        let sse2 = ["addsd", "subsd", "mulsd", "divsd", "sqrtsd", "movapd", "movupd", "cvtsi2sd", "cvttsd2si", "cvtsd2ss",
                    "cvtss2sd", "ucomisd", "comisd", "movdqa", "movdqu", "paddq", "psubq", "pshufd", "punpcklqdq", "movq2dq", "lfence", "mfence"]
        return output.split(separator: "\n").filter { line in
            let words = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            return words.count > 1 && sse2.contains(String(words[1]))
        }.map(String.init)
    }

    /// Mnemonics of `binary` in order (addresses and operands dropped), to compare two builds of one program.
    static func mnemonics(_ binary: String) throws -> [String] {
        let (_, output) = try ExampleFarm.run("/usr/bin/objdump", ["-d", "--no-show-raw-insn", binary])
        return output.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t")
            return parts.count > 1 && line.hasPrefix(" ") ? String(parts[1].split(separator: " ").first ?? "") : nil
        }
    }

    @Test func aPackageBuiltInTheBuildRootIsTheClassesCodeAndMatchesTheHostBuild() async throws {
        // Given PIII in chroot mode and PIII on the host, each with cpubench only
        let chrootFarm = try farm(chroot: true, packages: "app-misc/cpubench")
        defer { chrootFarm.remove() }
        let hostFarm = try farm(chroot: false, packages: "app-misc/cpubench")
        defer { hostFarm.remove() }

        // When both are built
        for farm in [chrootFarm, hostFarm] {
            let summary = try await Farm.load(configPath: farm.config.path).build(classes: ["PIII"], verbose: false) { _ in }
            #expect(summary.classes.first?.outcome == .published(generation: 1), "\(summary.classes)")
        }

        // Then the chroot build happened in the build root (its vdb has cpubench; there is no host-mode staging root)
        let work = chrootFarm.url("var/work/local/PIII")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("buildroot/var/db/pkg/app-misc/cpubench-1.0").path))
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("buildroot/opt/portage/bin/emerge").path))
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("staging").path))
        // and its binpkg landed in the class PKGDIR, built for the class (CHOST, -march=pentium3)
        let binpkg = chrootFarm.url("var/packages/PIII/app-misc/cpubench/cpubench-1.0-1.gpkg.tar")
        #expect(FileManager.default.fileExists(atPath: binpkg.path))
        let cflags = try String(contentsOf: work.appendingPathComponent("buildroot/var/db/pkg/app-misc/cpubench-1.0/CFLAGS"), encoding: .utf8)
        #expect(cflags.contains("-march=pentium3"))
        // and the program is an i386 ELF with no SSE2 instruction, like the host build
        let built = chrootFarm.url("var/roots/PIII/current/usr/bin/cpubench").path
        let host = hostFarm.url("var/roots/PIII/current/usr/bin/cpubench").path
        let elf = try #require(try ELFIdentity.read(built))
        #expect(elf.bits == 32 && elf.machine == ELFIdentity.i386)
        #expect(try Self.sse2Instructions(built).isEmpty)
        #expect(try Self.sse2Instructions(host).isEmpty)
        // and the two builds hold the same files, and their code differs only in a few startup instructions
        let files = { (farm: ExampleFarm) in
            try String(contentsOf: farm.url("var/roots/PIII/current/var/db/pkg/app-misc/cpubench-1.0/CONTENTS"), encoding: .utf8)
                .split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") }
        }
        #expect(try files(chrootFarm) == files(hostFarm))
        let (a, b) = (try Self.mnemonics(built), try Self.mnemonics(host))
        let differing = a.difference(from: b).count
        #expect(a.count > 100 && differing < a.count / 10, "\(differing) of \(a.count) instructions differ")
    }

    @Test func aKilledChrootBuildLeavesNothingAndAChangedSetupRemakesTheRoot() throws {
        // Given PIII in chroot mode with a package that has dependencies
        let farm = try farm(chroot: true, packages: "app-misc/fhsum")
        defer { farm.remove() }
        let loaded = try Farm.load(configPath: farm.config.path)
        let stamp = farm.url("var/work/local/PIII/buildroot.stage").path

        // When the coordinator is killed with SIGKILL while a build writes output inside the build root
        let killed = try ExampleFarm.launch(Fixtures.farmctl, ["build", "PIII", "--config", farm.config.path],
                                            environment: ["FARMCTL_KILL_AT": "build-output"])
        #expect(killed.signal == SIGKILL, "\(killed.output)")
        let run = try #require(try loaded.openStore().runs().first?.id)
        let firstKey = try String(contentsOfFile: stamp, encoding: .utf8)

        // Then within two seconds no process of that run is left, and nothing is mounted under the farm
        var left = LeftoverProcesses.find(marker: "FARMCTL_RUN=" + loaded.runMarker(run))
        for _ in 0..<20 where !left.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            left = LeftoverProcesses.find(marker: "FARMCTL_RUN=" + loaded.runMarker(run))
        }
        #expect(left.isEmpty, "\(left)")
        let (_, mounts) = try ExampleFarm.run("/usr/bin/findmnt", ["-rn", "-o", "TARGET"])
        #expect(!mounts.contains(farm.directory.path), "\(mounts)")
        // and no empty binpkg stayed in the PKGDIR
        let pkgdir = farm.url("var/packages/PIII").path
        let empty = (FileManager.default.enumerator(atPath: pkgdir)?.allObjects as? [String] ?? []).filter {
            ((try? FileManager.default.attributesOfItem(atPath: pkgdir + "/" + $0))?[.size] as? NSNumber)?.intValue == 0
        }
        #expect(empty.isEmpty, "\(empty)")

        // When the setup changes and the class is built again
        try farm.replace(in: "profiles/PIII/class.toml", "setup = \"", with: "setup = \"true && ")
        let again = try ExampleFarm.launch(Fixtures.farmctl, ["build", "PIII", "--config", farm.config.path])

        // Then the build root was made anew (a new key), and the class published
        #expect(again.status == 0, "\(again.output)")
        #expect(try String(contentsOfFile: stamp, encoding: .utf8) != firstKey)
        #expect(again.output.contains("PIII: published generation 1"), "\(again.output)")
    }
}

extension ChrootBuildTests {
    @Test func anSSHWorkerBuildsInItsOwnBuildRootMadeFromTheSameStage() async throws {
        // Given PIII in chroot mode built only by one SSH worker host
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let farm = try farm(chroot: true, packages: "app-misc/cpubench")
        defer { farm.remove() }
        try SSHWorkersEndToEndTests.configure(farm, hosts: [host])

        // When the class is built
        let loaded = try Farm.load(configPath: farm.config.path)
        let warnings = WarningLog()
        let summary = try await loaded.build(classes: ["PIII"], verbose: false) { event in
            if case .warning(let text) = event { warnings.append(text) }
        }

        // Then it is published, every package was built on the worker, in a build root the worker made from the
        // same inputs as the coordinator's (same key), which holds what it built
        #expect(summary.classes.first?.outcome == .published(generation: 1), "\(summary.classes) \(warnings.all) \((try? loaded.buildHistory(class: "PIII").map { $0.failure ?? "" }) ?? [])")
        let builds = try loaded.buildHistory(class: "PIII")
        #expect(!builds.isEmpty && builds.allSatisfy { $0.worker == "w1" }, "\(builds.map(\.worker))")
        let coordinatorKey = try farm.read("var/work/coordinator/PIII/buildroot.stage")
        #expect(try farm.read("remote/w1/PIII/buildroot.stage") == coordinatorKey)
        #expect(FileManager.default.fileExists(atPath: farm.url("remote/w1/PIII/buildroot/var/db/pkg/app-misc/cpubench-1.0").path))
        // and the program in the published root is the class's code, with nothing left mounted
        #expect(try Self.sse2Instructions(farm.url("var/roots/PIII/current/usr/bin/cpubench").path).isEmpty)
        let (_, mounts) = try ExampleFarm.run("/usr/bin/findmnt", ["-rn", "-o", "TARGET"])
        #expect(!mounts.contains(farm.directory.path), "\(mounts)")
    }
}
