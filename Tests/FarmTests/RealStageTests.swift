import FarmModel
import Foundation
import Seed
import Testing
import TestSupport
@testable import Farm

/// The example farm on its real seed stage (scripts/make-stage.sh: debootstrap's i386 bookworm with OpenRC,
/// cached under var/stages): both published roots run their own userland — the root's `/bin/sh` runs the farm's
/// `nodereport-sums` under `linux32 chroot` in a private mount and PID namespace, with nothing from the host.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct RealStageTests {
    /// Makes (or finds cached) the repository's example stage; returns its path.
    static func exampleStage() throws -> String {
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/make-stage.sh").path
        let (status, output) = try ExampleFarm.run("/bin/bash", [script])
        guard status == 0, let path = output.split(separator: "\n").last.map(String.init), path.hasPrefix("/") else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "make-stage.sh failed (\(status)): \(output.suffix(2000))"])
        }
        return path
    }

    @Test func bothRootsRunTheirOwnUserland() async throws {
        // Given the example farm with the real stage
        let stage = try Self.exampleStage()
        let farm = try ExampleFarm()
        defer { farm.remove() }
        for name in ["PIII", "AthlonXP"] {
            try farm.replace(in: "profiles/\(name)/class.toml", "stage = \"../../\(ExampleFarm.stagePath)\"", with: "stage = \"\(stage)\"")
        }
        // When both classes are built
        let summary = try await Farm.load(configPath: farm.config.path).build(classes: [], verbose: false) { _ in }
        for result in summary.classes { #expect(result.outcome == .published(generation: 1), "\(result)") }
        for name in ["PIII", "AthlonXP"] {
            let root = try FileManager.default.destinationOfSymbolicLink(atPath: farm.url("var/roots/\(name)").path + "/current")
            let path = farm.url("var/roots/\(name)/\(root)").path
            // Then /sbin/init is an i386 ELF of the root (sysvinit), with its interpreter inside the root
            let initPath = try #require(RootPath.resolve("/sbin/init", in: path))
            let initELF = try #require(try ELFIdentity.read(initPath))
            #expect(initELF.bits == 32 && initELF.machine == ELFIdentity.i386, "\(initELF)")
            #expect(RootPath.resolve(try #require(initELF.interpreter), in: path) != nil)
            #expect(FileManager.default.fileExists(atPath: path + "/usr/lib/i386-linux-gnu/libc.so.6"))
            #expect(FileManager.default.isExecutableFile(atPath: path + "/sbin/openrc"))
            // and every runlevel link resolves inside the root
            var links = 0
            for level in try FileManager.default.contentsOfDirectory(atPath: path + "/etc/runlevels") {
                for service in try FileManager.default.contentsOfDirectory(atPath: path + "/etc/runlevels/\(level)") {
                    links += 1
                    #expect(RootPath.resolve("/etc/runlevels/\(level)/\(service)", in: path) != nil, "\(name): \(level)/\(service)")
                }
            }
            #expect(links >= 2)
            // and the root's own shell runs the farm's program under linux32 chroot, nothing of the host mounted
            let script = "mount -t proc proc \(path)/proc && exec linux32 chroot \(path) /bin/sh -c 'nodereport-sums; echo sh-of-root=$0'"
            let (status, output) = try ExampleFarm.run("/usr/bin/unshare", ["--mount", "--propagation", "private", "--pid", "--fork",
                                                                          "--kill-child", "/bin/sh", "-c", script])
            #expect(status == 0 && output.contains("machine=i686") && output.contains("sh-of-root=/bin/sh"), "\(name): \(output)")
            #expect(output.contains("/etc/fstab"), "fhsum from the farm's libfarmhash ran: \(output)")
        }
        // And nothing stays mounted
        let (_, mounts) = try ExampleFarm.run("/usr/bin/findmnt", ["-rn", "-o", "TARGET"])
        #expect(!mounts.contains(farm.directory.path), "\(mounts)")
    }
}
