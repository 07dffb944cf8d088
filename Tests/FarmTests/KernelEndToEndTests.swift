import FarmModel
import Foundation
import Testing
import TestSupport
import Workers
@testable import Farm

/// `farmctl build` publishing bootable roots: kernel and module (kbuild fixture), stateless init, runlevel, PXE.
/// The real kernel path: `make test-kernel` and `make test-boot`.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct KernelEndToEndTests {
    func build(_ farm: ExampleFarm) async throws -> ClassOutcome? {
        try await Farm.load(configPath: farm.config.path).build(classes: ["PIII"], verbose: false) { _ in }.classes.first?.outcome
    }

    func current(_ farm: ExampleFarm) throws -> String {
        try FileManager.default.destinationOfSymbolicLink(atPath: farm.url("var/roots/PIII/current").path)
    }

    @Test func theClassKernelsAreJobsOfTheScheduleAndBuildAtOnceOnTwoSlots() async throws {
        // Given both example classes, whose kernels differ (their CPU fragments), each kbuild taking 3 s, and a
        // coordinator with 2 build slots
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // When the farm is built
        // (waited for on a thread of its own: a blocked cooperative thread would stall every other suite's tasks)
        let config = farm.config.path
        let run = try await onOwnThread {
            try ExampleFarm.launch(Fixtures.farmctl, ["build", "--plain", "--config", config], environment: ["FIXTURE_BUILD_SECONDS": "3"])
        }
        #expect(run.status == 0, "\(run.output)")
        // Then the scheduler started both kernels first, at once: both began before either ended, and before any
        // package build (they are the longest jobs)
        let lines = run.output.split(separator: "\n").map(String.init)
        func first(_ text: String) -> Int? { lines.firstIndex { $0.contains(text) } }
        let starts = ["PIII: building kernel", "AthlonXP: building kernel"].compactMap(first)
        let firstEnd = try #require(first(": built kernel"))
        #expect(starts.count == 2 && starts.allSatisfy { $0 < firstEnd }, "\(lines.filter { $0.contains("kernel") })")
        let firstPackage = lines.firstIndex { $0.contains(" on local") && !$0.contains("kernel") } ?? Int.max
        #expect(starts.allSatisfy { $0 < firstPackage }, "\(lines.prefix(12))")
        // on the coordinator's own worker
        #expect(lines.filter { $0.contains(": building kernel") }.allSatisfy { $0.contains(" on local (log: ") })
    }

    @Test func aRootIsPublishedWithItsKernelAndAKernelChangeMakesANewGenerationOnlyWhenItsModulesBuild() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given the example PIII class, When it is built
        #expect(try await build(farm) == .published(generation: 1))
        // Then its root holds the kernel, the module with depmod done, the init, its mount points and runlevel links
        let root = farm.url("var/roots/PIII/current")
        let release = "6.1.0-fixture"
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("boot/vmlinuz").path) == "vmlinuz-\(release)")
        #expect(try farm.read("var/roots/PIII/current/lib/modules/\(release)/modules.dep").contains("extra/farmmark.ko:"))
        #expect(FileManager.default.isExecutableFile(atPath: root.appendingPathComponent("boot/stateless.sh").path))
        for point in ["mnt/unionfs/etc", "mnt/unionfs/var"] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(point).path))
        }
        let runlevel = root.appendingPathComponent("etc/runlevels/diskless")
        #expect(try FileManager.default.contentsOfDirectory(atPath: runlevel.path).sorted() == ["kmod", "local"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: runlevel.appendingPathComponent("kmod").path) == "/etc/init.d/kmod")
        // and the modules went through the stage's merged-/usr `lib -> usr/lib` link, which stays a link
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("lib").path) == "usr/lib")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("usr/lib/modules/\(release)/extra/farmmark.ko").path))
        // and PXE serves that kernel under the class's label
        let pxe = try farm.read("var/tftp/pxelinux.cfg/default")
        #expect(pxe.contains("KERNEL PIII/vmlinuz-\(release)"), "\(pxe)")
        #expect(FileManager.default.fileExists(atPath: farm.url("var/tftp/PIII/vmlinuz-\(release)").path))

        // When only the kernel changes (a local version in the class's fragment)
        try farm.append(to: "kernel/config/cpu-PIII.fragment", "CONFIG_LOCALVERSION=\"-farm\"\n")
        #expect(try await build(farm) == .published(generation: 2))
        // Then generation 2 has only the new kernel and modules, and `roots diff` reports the kernel change alone
        let loaded = try Farm.load(configPath: farm.config.path)
        let two = farm.url("var/roots/PIII/2")
        #expect(try FileManager.default.contentsOfDirectory(atPath: two.appendingPathComponent("usr/lib/modules").path) == ["\(release)-farm"])
        #expect(!FileManager.default.fileExists(atPath: two.appendingPathComponent("boot/vmlinuz-\(release)").path))
        let diff = try loaded.diffGenerations(class: "PIII", 1, 2)
        #expect(diff.added.isEmpty && diff.removed.isEmpty && diff.changed.isEmpty && diff.rebuilt.isEmpty)
        #expect(diff.kernel?.from?.hasPrefix("\(release) (") == true && diff.kernel?.to?.hasPrefix("\(release)-farm (") == true)
        #expect(try loaded.listGenerations(class: "PIII").first?.kernel == "\(release)-farm")

        // When the kernel changes again but the module no longer builds against it
        try farm.replace(in: "kernel/config/cpu-PIII.fragment", "-farm", with: "-farm2")
        try farm.append(to: "kernel/module/farmmark/Kbuild", "obj-m += missing.o\n")
        let outcome = try await build(farm)
        // Then the class fails naming the module, and `current` stays at generation 2
        guard case .failed(let reason) = outcome else { Issue.record("published despite the module failing: \(String(describing: outcome))"); return }
        #expect(reason.contains("the module farmmark"))
        #expect(try current(farm) == "2")
        #expect(try farm.read("var/tftp/pxelinux.cfg/default").contains("KERNEL PIII/vmlinuz-\(release)-farm\n"))
    }

    @Test func aRootWhoseInitIsNotExecutableIsNotPublished() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given the shared overlay's stateless.sh without its executable bit
        let script = farm.url("overlays/diskless/boot/stateless.sh").path
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script)
        // When built, Then nothing is published and the error names the init and the fix
        guard case .failed(let reason) = try await build(farm) else { Issue.record("published a root that cannot boot"); return }
        #expect(reason.contains("the init /boot/stateless.sh ([boot] init) is missing or not executable") && reason.contains("chmod +x"), "\(reason)")
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/current").path))
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/1").path))
    }
}
