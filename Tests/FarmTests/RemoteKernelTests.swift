import FarmModel
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Farm

/// Class kernels built on SSH workers (real sshd hosts on loopback addresses, started and stopped by PID): the
/// source, config and fragments sent, kbuild (the fixture tree) run there, the finished tree brought back verified,
/// and a kernel build lost with its worker requeued on another. The real kernel on the coordinator: `make test-kernel`.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct RemoteKernelTests {
    /// The kernel events of one build: who built which class's kernel, and the warnings.
    struct Seen: Sendable {
        var building: [(ClassName, worker: String)] = []
        var built: [(ClassName, key: String)] = []
        var warnings: [String] = []
    }

    func build(_ farm: ExampleFarm, onBuilding: @escaping @Sendable (ClassName, String) -> Void = { _, _ in })
        async throws -> (BuildSummary, Seen) {
        let seen = Mutex(Seen())
        let config = farm.config.path
        let summary = try await Farm.load(configPath: farm.config.path).build(classes: ["PIII", "AthlonXP"], verbose: false) { event in
            switch event {
            case let .kernelBuilding(nodeClass, _, worker, _):
                seen.withLock { $0.building.append((nodeClass, worker)) }
                onBuilding(nodeClass, worker)
            case let .kernelBuilt(nodeClass, _, key, _, _): seen.withLock { $0.built.append((nodeClass, key)) }
            case .warning(let text): seen.withLock { $0.warnings.append(text) }
            default: break
            }
        }
        return (summary, seen.withLock { $0 })
    }

    /// Two SSH worker hosts and a copy of the example farm using only them (the coordinator builds nothing).
    func twoWorkers() async throws -> ([SSHTestHost], ExampleFarm) {
        let hosts = [try await SSHTestHost.start(), try await SSHTestHost.start()]
        do {
            let farm = try ExampleFarm()
            try SSHWorkersEndToEndTests.configure(farm, hosts: hosts)
            return (hosts, farm)
        } catch {
            for host in hosts { host.stop() }
            throw error
        }
    }

    @Test func theKernelsBuildOnSSHWorkersAndTheirTreesComeBackVerified() async throws {
        // Given two SSH worker hosts and the example farm using only them (the coordinator builds nothing)
        let (hosts, farm) = try await twoWorkers()
        defer { for host in hosts { host.stop() }; farm.remove() }

        // When both classes are built
        let (summary, seen) = try await build(farm)

        // Then both roots are published, each kernel was built on a worker, not on the coordinator
        for name in ["PIII", "AthlonXP"] {
            #expect(summary.classes.first { $0.nodeClass.rawValue == name }?.outcome == .published(generation: 1), "\(summary)")
        }
        #expect(Set(seen.building.map(\.0.rawValue)) == ["PIII", "AthlonXP"], "\(seen.building)")
        #expect(seen.building.allSatisfy { ["w1", "w2"].contains($0.worker) }, "\(seen.building)")
        // and each root's kernel and module are the bytes the worker built, kept in the coordinator's cache with .done
        for (nodeClass, worker) in seen.building {
            let key = try #require(seen.built.first { $0.0 == nodeClass }?.key)
            let workerCache = farm.url("remote/\(worker)/kernels/\(key)")
            let modules = try #require(try FileManager.default.contentsOfDirectory(atPath: workerCache.path).first { $0.hasPrefix("modules-") })
            let release = "6.1.0-fixture"
            for file in ["boot/vmlinuz-\(release)", "lib/modules/\(release)/extra/farmmark.ko"] {
                let built = try Data(contentsOf: workerCache.appendingPathComponent("\(modules)/root/\(file)"))
                #expect(try Data(contentsOf: farm.url("var/kernels/\(key)/\(modules)/root/\(file)")) == built, "\(file)")
                #expect(try Data(contentsOf: farm.url("var/roots/\(nodeClass)/current/\(file)")) == built, "\(nodeClass) \(file)")
            }
            #expect(FileManager.default.fileExists(atPath: farm.url("var/kernels/\(key)/\(modules)/.done").path))
            // and the build's log is on the coordinator
            #expect(try farm.read("var/kernels/\(key)/build.log").contains("bzImage"), "\(key)")
        }
    }

    @Test func aKernelBuildLostWithItsWorkerIsRequeuedOnAnother() async throws {
        // Given two SSH worker hosts and the example farm using only them
        let (hosts, farm) = try await twoWorkers()
        defer { for host in hosts { host.stop() }; farm.remove() }

        // When the first worker to start a kernel build dies as it starts
        let victim = Mutex<(ClassName, String)?>(nil)
        let (summary, seen) = try await build(farm) { nodeClass, worker in
            let kill = victim.withLock { chosen -> Bool in
                guard chosen == nil else { return false }
                chosen = (nodeClass, worker)
                return true
            }
            if kill { hosts[Int(worker.dropFirst())! - 1].kill() }
        }

        // Then its kernel is built again on the other worker, and both roots are published with their kernels
        let (lostClass, lost) = try #require(victim.withLock { $0 })
        #expect(seen.building.contains { $0.0 == lostClass && $0.worker != lost }, "\(seen.building)")
        #expect(seen.warnings.contains { $0.contains("lost during the kernel build") }, "\(seen.warnings)")
        for name in ["PIII", "AthlonXP"] {
            #expect(summary.classes.first { $0.nodeClass.rawValue == name }?.outcome == .published(generation: 1), "\(summary)")
            #expect(FileManager.default.fileExists(atPath: farm.url("var/roots/\(name)/current/boot/vmlinuz-6.1.0-fixture").path))
        }
    }
}
