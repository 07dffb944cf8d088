import FarmConfig
import FarmModel
import Foundation
import Kernels
import Synchronization
import Testing
import TestSupport
import Workers
@testable import Farm

/// Class kernels and modules built with the kbuild fixture (Tests/Fixtures/kbuild-tree). The same code builds
/// Debian's real linux-source in `make test-kernel` (scripts/test-kernel.sh), which boots in `make test-boot`.
@Suite struct KernelBuilderTests {
    let piii = ClassName("PIII")!
    let athlon = ClassName("AthlonXP")!

    /// Builds the named classes' kernels in `farm`, returning them and every event.
    /// With `remote`, the builds run as on an SSH worker whose workdir is `remote/` in the farm: through
    /// `RemoteKernelHost` (every file step a shell command, every input an upload) over the local transport.
    func build(_ farm: ExampleFarm, _ names: [String] = ["PIII"], remote: Bool = false) async throws -> ([ClassName: BuiltKernel], [KernelEvent]) {
        let loaded = try Farm.load(configPath: farm.config.path)
        let events = Mutex<[KernelEvent]>([])
        let cache = loaded.settings.state.appendingPathComponent("kernels").path
        let report: @Sendable (KernelEvent) -> Void = { event in events.withLock { $0.append(event) } }
        let builder = remote
            ? KernelBuilder(directory: farm.url("remote/kernels").path,
                            host: RemoteKernelHost(transport: LocalTransport(), searchPath: "/usr/sbin:/usr/bin:/sbin:/bin", scratch: cache + "/uploads"),
                            mirror: cache, hostName: "w1", events: report)
            : KernelBuilder(directory: cache, events: report)
        var kernels: [ClassName: BuiltKernel] = [:]
        for profile in try loaded.profiles(named: names) {
            kernels[profile.name] = try await builder.build(try #require(profile.kernel), for: profile.name)
        }
        return (kernels, events.withLock { $0 })
    }

    /// Makes PIII's kernel source a tarball of the fixture tree (`linux-fixture.tar.xz`).
    func useTarball(_ farm: ExampleFarm) throws {
        let (status, output) = try ExampleFarm.run("/bin/tar", ["-cJf", farm.url("linux-fixture.tar.xz").path, "-C", farm.directory.path, "kernel-tree"])
        try #require(status == 0, "\(output)")
        try farm.replace(in: "profiles/PIII/class.toml", "source = \"../../kernel-tree\"", with: "source = \"../../linux-fixture.tar.xz\"")
    }

    /// The kernel builds the fixture really ran in a build directory (one line per build).
    func fixtureBuilds(_ farm: ExampleFarm, _ kernel: BuiltKernel) throws -> Int {
        let log = farm.url("var/kernels/\(kernel.key)/build/.fixture-builds.log")
        return (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    @Test func eachClassGetsItsKernelAndModuleLaidOutForARoot() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given the example classes (tinyconfig + diskless + their CPU fragment, farmmark), When their kernels are built
        let (kernels, _) = try await build(farm, ["PIII", "AthlonXP"])
        let kernel = try #require(kernels[piii])
        // Then the tree a root receives has the image, System.map, config, and farmmark under extra/ with depmod done
        let tree = URL(fileURLWithPath: kernel.tree)
        for file in ["vmlinuz", "System.map", "config"] {
            #expect(FileManager.default.fileExists(atPath: tree.appendingPathComponent("boot/\(file)-\(kernel.release)").path))
        }
        let modules = tree.appendingPathComponent("lib/modules/\(kernel.release)")
        #expect(try String(contentsOf: modules.appendingPathComponent("modules.dep"), encoding: .utf8).contains("extra/farmmark.ko:"))
        #expect(kernel.moduleFiles == ["farmmark.ko"])
        // without the links to this host's build and source trees
        #expect(!FileManager.default.fileExists(atPath: modules.appendingPathComponent("build").path))
        // and each class's module is built for its own CPU (vermagic)
        let (_, piiiMagic) = try ExampleFarm.run("/sbin/modinfo", ["-F", "vermagic", modules.appendingPathComponent("extra/farmmark.ko").path])
        #expect(piiiMagic.contains("PENTIUMIII"))
        let athlonKernel = try #require(kernels[athlon])
        #expect(athlonKernel.key != kernel.key)
        let athlonModule = "\(athlonKernel.tree)/lib/modules/\(athlonKernel.release)/extra/farmmark.ko"
        #expect(try ExampleFarm.run("/sbin/modinfo", ["-F", "vermagic", athlonModule]).1.contains("K7"))
        // the profile's module directory received no build products
        #expect(try FileManager.default.contentsOfDirectory(atPath: farm.url("kernel/module/farmmark").path).sorted() == ["Kbuild", "farmmark.c"])
    }

    @Test func classesWithTheSameKernelShareOneBuild() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given AthlonXP configured exactly as PIII
        try farm.replace(in: "profiles/AthlonXP/class.toml", "cpu-AthlonXP.fragment", with: "cpu-PIII.fragment")
        // When both are built
        let (kernels, events) = try await build(farm, ["PIII", "AthlonXP"])
        // Then they have one key, the fixture built once, and AthlonXP's came from the cache
        let kernel = try #require(kernels[piii])
        #expect(kernels[athlon]?.key == kernel.key)
        #expect(try fixtureBuilds(farm, kernel) == 1)
        #expect(events.contains { if case .built(athlon, _, _, _, true) = $0 { true } else { false } })
    }

    @Test func onAWorkerTheSameStepsRunThereAndTheTreeComesBackToTheCoordinatorsCache() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given the source as a tarball, When PIII's kernel is built on a worker
        try useTarball(farm)
        let (remote, events) = try await build(farm, remote: true)
        // Then the worker unpacked, configured and built in its own cache, and sent nothing back but the tree
        let kernel = try #require(remote[piii])
        #expect(events.contains { if case .building(_, _, "w1", _) = $0 { true } else { false } })
        #expect(FileManager.default.fileExists(atPath: farm.url("remote/kernels/src/linux-fixture/Makefile").path))
        #expect(!FileManager.default.fileExists(atPath: farm.url("remote/kernels/inputs/linux-fixture.tar.xz").path))
        #expect(FileManager.default.fileExists(atPath: farm.url("remote/kernels/\(kernel.key)/build/arch/x86/boot/bzImage").path))
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/kernels/\(kernel.key)/build").path))
        // and the tree is in the coordinator's cache, byte for byte the worker's, depmod listing the module
        #expect(kernel.tree == farm.url("var/kernels/\(kernel.key)/modules-\(kernel.modulesKey)/root").path)
        for file in ["boot/vmlinuz-\(kernel.release)", "boot/config-\(kernel.release)", "lib/modules/\(kernel.release)/extra/farmmark.ko"] {
            let built = try Data(contentsOf: farm.url("remote/kernels/\(kernel.key)/modules-\(kernel.modulesKey)/root/\(file)"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(kernel.tree)/\(file)")) == built, "\(file)")
        }
        #expect(KernelBuilder.depmodListed("\(kernel.tree)/lib/modules/\(kernel.release)").contains("extra/farmmark.ko"))
        #expect(try farm.read("var/kernels/\(kernel.key)/build.log").contains("bzImage"))
        // When the coordinator then builds the same kernel itself
        let (local, again) = try await build(farm)
        // Then it takes the worker's from its cache: same key and tree, no build
        #expect(local[piii] == kernel)
        #expect(again.contains { if case .built(_, _, _, 0, true) = $0 { true } else { false } })
        #expect(!again.contains { if case .building = $0 { true } else { false } })
    }

    @Test func aTarballIsUnpackedOnceAndItsBuildIsCached() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given the source as a tarball
        try useTarball(farm)
        // When built twice
        let (first, _) = try await build(farm)
        let (second, events) = try await build(farm)
        // Then it was unpacked under var/kernels/src, built once, and the second run used the cache for kernel and module
        let kernel = try #require(first[piii])
        #expect(second[piii] == kernel)
        #expect(FileManager.default.fileExists(atPath: farm.url("var/kernels/src/linux-fixture/Makefile").path))
        #expect(try fixtureBuilds(farm, kernel) == 1)
        #expect(!events.contains { if case .progress = $0 { true } else { false } })
        #expect(!events.contains { if case .moduleBuilt = $0 { true } else { false } })
    }

    @Test func aKernelChangeRebuildsTheModules() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let (before, _) = try await build(farm)
        // Given a new option in the class's CPU fragment (a local version)
        try farm.append(to: "kernel/config/cpu-PIII.fragment", "CONFIG_LOCALVERSION=\"-farm\"\n")
        // When built again
        let (after, events) = try await build(farm)
        // Then the kernel has a new key and release, and farmmark was built again against it
        let old = try #require(before[piii]), new = try #require(after[piii])
        #expect(new.key != old.key && new.release == old.release + "-farm")
        #expect(events.contains { if case .moduleBuilt(piii, "farmmark", new.release, _, true) = $0 { true } else { false } })
        let module = "\(new.tree)/lib/modules/\(new.release)/extra/farmmark.ko"
        #expect(try ExampleFarm.run("/sbin/modinfo", ["-F", "vermagic", module]).1.hasPrefix(new.release + " "))
    }

    @Test func aFragmentOptionThatDoesNotStickNamesItsLine() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given a fragment whose line 4 sets an option this kernel does not have
        try farm.append(to: "kernel/config/cpu-PIII.fragment", "CONFIG_NO_SUCH_OPTION=y\n")
        // When built, Then the error names the fragment's file and line and the fix
        let error = await #expect(throws: FarmError.self) { try await build(farm) }
        #expect(error?.problem.contains("cpu-PIII.fragment:4: `CONFIG_NO_SUCH_OPTION=y` is not in the final kernel .config") == true, "\(String(describing: error))")
        #expect(error?.fix.contains("depends on") == true)
    }

    @Test func aSourceOfAnotherVersionIsRefusedAtTheVersionLine() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given version 5.10 for a 6.1 source
        try farm.replace(in: "profiles/PIII/class.toml", "version = \"6.1\"", with: "version = \"5.10\"")
        // When built, Then class.toml's version line is named with the version the source has
        let error = await #expect(throws: ConfigError.self) { try await build(farm) }
        let line = try farm.line(of: "version = \"5.10\"", in: "profiles/PIII/class.toml")
        #expect(error?.problem.contains("class.toml:\(line): [kernel] version is 5.10, but") == true, "\(String(describing: error))")
        #expect(error?.fix.contains("version = \"6.1.0-fixture\"") == true)
    }

    @Test func aModuleThatFailsToBuildIsReported() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given farmmark's Kbuild names an object it has no source for
        try farm.append(to: "kernel/module/farmmark/Kbuild", "obj-m += missing.o\n")
        // When built, Then the error names the module and its class.toml line, and a failed module event is sent
        do {
            _ = try await build(farm)
            Issue.record("the module build did not fail")
        } catch let error as FarmError {
            let line = try farm.line(of: "modules = ", in: "profiles/PIII/class.toml")
            #expect(error.problem.contains("the module farmmark (") && error.problem.contains("class.toml:\(line)) failed to build against kernel 6.1.0-fixture"),
                    "\(error)")
            #expect(error.fix.contains("keeps its published root"))
        }
    }
}
