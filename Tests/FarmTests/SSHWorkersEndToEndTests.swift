import FarmModel
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Farm

/// `farmctl build` on three real sshd worker hosts on loopback addresses (each started and stopped by PID),
/// with the real emerge on each: one host is killed during the run.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct SSHWorkersEndToEndTests {
    let farmctl = Fixtures.farmctl

    /// The example farm's [farm] table with `hosts` as its only workers (SSH, builds amd64 and x86).
    static func configure(_ farm: ExampleFarm, hosts: [SSHTestHost], jobs: Int = 1, arches: String = "[\"amd64\", \"x86\"]") throws {
        let farmTable = try farm.read("workers.conf").components(separatedBy: "[worker.local]")[0]
        let workers = hosts.enumerated().map { index, host in
            """
            [worker.w\(index + 1)]
            host = "\(host.address)"
            port = \(host.port)
            user = "\(host.user)"
            identity = "\(host.identity)"
            known_hosts = "\(host.knownHosts)"
            jobs = \(jobs)
            arches = \(arches)
            workdir = "\(farm.directory.path)/remote/w\(index + 1)"
            emerge = "\(ExampleFarm.emerge)"

            """
        }
        let coordinator = farmTable.replacingOccurrences(of: "[farm]\n", with: "[farm]\nemerge = \"\(ExampleFarm.emerge)\"\n")
        try farm.write("workers.conf", coordinator + workers.joined(separator: "\n"))
    }

    @Test func threeSSHWorkersOneKilledDuringTheRunBothRootsPublished() async throws {
        // Given three SSH worker hosts and the example farm using only them
        var hosts: [SSHTestHost] = []
        for _ in 0..<3 { hosts.append(try await SSHTestHost.start()) }
        defer { for host in hosts { host.stop() } }
        let farm = try ExampleFarm()
        defer { if ProcessInfo.processInfo.environment["FARMCTL_KEEP_TEST_FARM"] == nil { farm.remove() } }
        try Self.configure(farm, hosts: hosts)

        // When both classes are built and w2 dies during its second build
        let startedOnW2 = Mutex(0)
        let warnings = Mutex<[String]>([])
        let victim = hosts[1]
        let summary = try await Farm.load(configPath: farm.config.path).build(classes: ["PIII", "AthlonXP"], verbose: false) { event in
            switch event {
            case .buildStarted(_, _, worker: "w2"):
                let count = startedOnW2.withLock { $0 += 1; return $0 }
                if count == 2 { Task { try await Task.sleep(for: .milliseconds(800)); victim.kill() } }
            case .warning(let text):
                warnings.withLock { $0.append(text) }
            default: break
            }
        }

        // Then both roots are published, complete, with 32-bit binaries
        for name in ["PIII", "AthlonXP"] {
            #expect(summary.classes.first { $0.nodeClass.rawValue == name }?.outcome == .published(generation: 1), "\(summary)")
            let root = farm.url("var/roots/\(name)/current")
            let (_, file) = try ExampleFarm.run("/usr/bin/file", ["-L", root.appendingPathComponent("usr/bin/fhsum").path])
            #expect(file.contains("ELF 32-bit LSB"))
        }
        let loaded = try Farm.load(configPath: farm.config.path)
        let history = try loaded.buildHistory(class: nil)
        let builtBy = Set(history.filter { $0.status == .succeeded }.map(\.worker))
        // the builds spread over the workers, the killed one's build was lost and redone elsewhere
        #expect(builtBy.count >= 2, "\(builtBy)")
        #expect(startedOnW2.withLock { $0 } >= 2)
        let lost = history.filter { $0.worker == "w2" && $0.status != .succeeded }
        // nothing failed on the hosts that stayed up
        #expect(history.filter { $0.worker != "w2" }.allSatisfy { $0.status == .succeeded }, "\(history.filter { $0.status != .succeeded }.map(\.failure))")
        #expect(!lost.isEmpty && lost.allSatisfy { ($0.failure ?? "").contains("lost") }, "\(lost.map(\.failure))")
        for build in lost {
            #expect(history.contains { $0.cpv == build.cpv && $0.class == build.class && $0.status == .succeeded && $0.worker != "w2" })
        }
        #expect(warnings.withLock { $0 }.contains { $0.contains("worker w2 parked") })
        // each root's binpkgs were built for its class by the hosts that are named in `query builds`
        let (status, output) = try ExampleFarm.run(farmctl, ["query", "builds", "--config", farm.config.path])
        #expect(status == 0)
        for worker in builtBy { #expect(output.contains(worker)) }
        // and the coordinator's PKGDIR holds each remote binpkg exactly once, indexed
        let packages = try farm.read("var/packages/PIII/Packages")
        for build in history where build.class == "PIII" && build.status == .succeeded {
            #expect(packages.contains("CPV: \(build.cpv)\n"), "\(build.cpv)")
        }
    }

    @Test func workersCheckReportsHostsAndRefusesUnknownAndChangedHostKeys() async throws {
        // Given a good host, one not in known_hosts, and one whose known key is another host's
        var hosts: [SSHTestHost] = []
        for _ in 0..<3 { hosts.append(try await SSHTestHost.start()) }
        defer { for host in hosts { host.stop() } }
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try Self.configure(farm, hosts: hosts)
        try "".write(toFile: hosts[1].knownHosts, atomically: true, encoding: .utf8)
        let otherKey = try String(contentsOfFile: hosts[0].hostKey("ed25519"), encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        try "[\(hosts[2].address)]:\(hosts[2].port) \(otherKey)\n".write(toFile: hosts[2].knownHosts, atomically: true, encoding: .utf8)

        // When the workers are checked
        let (status, output) = try ExampleFarm.run(farmctl, ["workers", "check", "--config", farm.config.path])

        // Then the good one is ok and runs PIII code, the others are refused with the fingerprint and the fix
        #expect(status == 1, "\(output)")
        let w1 = output.split(separator: "\n").first { $0.hasPrefix("w1 ") }.map(String.init) ?? ""
        #expect(w1.contains(" ok ") && w1.contains("x86_64") && w1.contains("i686") && w1.contains("Portage 3.0.83") && w1.contains("PIII"), "\(output)")
        let unknownPrint = try await SSHTestHost.fingerprint(of: hosts[1].hostKey("ed25519"))
        #expect(output.contains(unknownPrint), "\(output)")
        #expect(output.contains("ssh-keyscan"))
        let changedPrint = try await SSHTestHost.fingerprint(of: hosts[2].hostKey("ed25519"))
        #expect(output.contains(changedPrint))
        #expect(output.contains("ssh-keygen -R"))

        // And a build leaves both refused workers out, saying why, and still publishes with w1
        let (buildStatus, buildOutput) = try ExampleFarm.run(farmctl, ["build", "PIII", "--plain", "--config", farm.config.path])
        #expect(buildStatus == 0, "\(buildOutput)")
        #expect(buildOutput.contains("worker w2") && buildOutput.contains("left out of this run"))
        #expect(buildOutput.contains("worker w3") && buildOutput.contains("ssh-keygen -R"))
    }
}
