import FarmModel
import Foundation
import GRDB
import Portage
@testable import Store
import Synchronization
import Testing
import TestSupport
@testable import Farm
@testable import Workers

/// The pieces that keep runs safe, without emerge: the farm lock, the run records, leftover processes, pins.
@Suite struct RunSafetyTests {
    @Test func aSecondLockIsRefusedNamingTheHolderAndADeadHoldersLineIsReported() throws {
        let directory = try Fixtures.temporaryDirectory("lock").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Given a run holding the lock
        var first: FarmLock? = try FarmLock.take(directory: directory, command: "nightly")
        #expect(first?.previous == nil)
        // When another takes it, Then it is refused with the holder and the fix
        #expect {
            try FarmLock.take(directory: directory, command: "build")
        } throws: { error in
            let text = "\(error)"
            return text.contains("farmctl nightly (pid \(getpid())") && text.contains("--wait")
        }
        #expect(FarmLock.holder(directory: directory)?.command == "nightly")
        // When the holder ends cleanly, Then the line is gone and the next run finds no dead holder
        first = nil
        #expect(FarmLock.holder(directory: directory) == nil)
        #expect(try FarmLock.take(directory: directory, command: "build").previous == nil)
        // When a holder died (its line stays: the kernel dropped the flock), Then the next run names it
        try "pid=999999 command=nightly started=2026-11-22T02:00:00Z host=farm\n"
            .write(toFile: directory + "/farmctl.lock", atomically: false, encoding: .utf8)
        let next = try FarmLock.take(directory: directory, command: "nightly")
        #expect(next.previous?.pid == 999999 && next.previous?.command == "nightly")
    }

    @Test func waitingForTheLockReportsTheHolderOnceAndGetsItWhenReleased() async throws {
        let directory = try Fixtures.temporaryDirectory("lock").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var holder: FarmLock? = try FarmLock.take(directory: directory, command: "nightly")
        let said = Mutex<[LockHolder?]>([])
        // Given a held lock, When a waiter starts and the holder ends 0.5 s later
        let waiter = Task {
            try await FarmLock.acquire(directory: directory, command: "build", wait: true) { holder in said.withLock { $0.append(holder) } }
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(holder != nil)
        holder = nil
        let lock = try await waiter.value
        // Then the waiter said once whom it waited for, and holds the lock now
        #expect(said.withLock { $0.map { $0?.command } } == ["nightly"])
        #expect(FarmLock.holder(directory: directory)?.command == "build")
        withExtendedLifetime(lock) {}
    }

    @Test func aDeadRunsRecordsBecomeInterruptedInOneStep() throws {
        let store = try FarmStore()
        let piii = ClassName("PIII")!
        // Given a run that died with a build running and a generation assembling
        let run = try store.beginRun(command: "nightly", classes: ["PIII"], pid: 1, host: "h")
        _ = try store.recordBuildStarted(class: piii, cpv: CPV("app-misc/fhsum-1.0")!, worker: "local", logPath: "/l", run: run)
        let generation = try store.beginGeneration(class: piii, overlayDigest: "d", run: run) { "/roots/PIII/\($0)" }
        // When the next run records it
        let interrupted = try store.recordInterrupted()
        // Then the run, the build and the generation are marked, and a second call finds nothing
        #expect(interrupted.runs.map(\.id) == [run] && interrupted.builds.count == 1 && interrupted.generations.map(\.id) == [generation.id])
        #expect(try store.run(run)?.status == .interrupted)
        #expect(try store.builds().first?.status == .interrupted)
        #expect(try store.generations().first?.status == .failed)
        #expect(try store.recordInterrupted().runs.isEmpty)
        #expect(try store.builds(inRun: run).count == 1)
    }

    @Test func theSchemaRefusesAFinishedRunWithoutAnEndTime() throws {
        let store = try FarmStore()
        let run = try store.beginRun(command: "build", classes: [], pid: 1, host: "h")
        #expect(throws: (any Error).self) {
            try store.writer.write { db in try db.execute(sql: "UPDATE run SET status = 'succeeded' WHERE id = ?", arguments: [run]) }
        }
        #expect(throws: (any Error).self) {
            try store.writer.write { db in try db.execute(sql: "UPDATE run SET command = 'other' WHERE id = ?", arguments: [run]) }
        }
        try store.finishRun(run, succeeded: true, summary: "{}")
        #expect(try store.run(run)?.status == .succeeded)
    }

    @Test func leftoverProcessesOfADeadRunAreFoundByTheirMarkerAndStopped() async throws {
        // Given a process group started under a run's marker, as the local transport starts emerge
        let marker = "test-\(UUID().uuidString)"
        let task = Task {
            try await LocalTransport.$runMarker.withValue(marker) {
                try await LocalTransport().run(Command("/bin/sh", ["-c", "sleep 60 & sleep 60; wait"]))
            }
        }
        var found: [(pid: pid_t, group: pid_t)] = []
        for _ in 0..<50 where found.count < 3 {
            try await Task.sleep(for: .milliseconds(100))
            found = LeftoverProcesses.find(marker: "FARMCTL_RUN=\(marker)")
        }
        // Then the shell and both sleeps carry it, in one process group
        #expect(found.count == 3)
        #expect(Set(found.map(\.group)).count == 1)
        // When they are stopped, Then none is left and the transport sees the kill
        #expect(LeftoverProcesses.stop(marker: "FARMCTL_RUN=\(marker)") == 3)
        #expect(LeftoverProcesses.find(marker: "FARMCTL_RUN=\(marker)").isEmpty)
        // (the sleeps, orphaned when their shell died, were reparented to this test process: reap them here; the
        // shell itself is the transport's to reap)
        for process in found where process.pid != process.group { waitpid(process.pid, nil, 0) }
        let result = try await task.value
        #expect(!result.termination.succeeded)
    }

    @Test func twoFarmsOnOneMachineNeverShareARunMarker() throws {
        // Given two farms whose stores both have a run 1 (run ids are per farm)
        let (a, b) = (try ExampleFarm(), try ExampleFarm())
        defer { a.remove(); b.remove() }
        // Then their processes carry different markers, so recovering one never stops the other's emerge
        let (first, second) = (try Farm.load(configPath: a.config.path), try Farm.load(configPath: b.config.path))
        #expect(first.runMarker(1) != second.runMarker(1))
        #expect(first.runMarker(1).hasPrefix("1@") && first.runMarker(1).hasSuffix("/var"))
    }

    @Test func aRepositoryStateIsItsCommitOrATreeStampThatAnyEditChanges() async throws {
        let directory = try Fixtures.temporaryDirectory("repo")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("profiles"), withIntermediateDirectories: true)
        try "farm\n".write(to: directory.appendingPathComponent("profiles/repo_name"), atomically: true, encoding: .utf8)
        let repository = Repository(name: "farm", location: directory.path)
        // Given a plain directory, Then its state is a tree stamp that changes with an edit
        let plain = try await RepositoryState.read(repository)
        #expect(plain.state.hasPrefix("tree:"))
        #expect(try await RepositoryState.read(repository) == plain)
        try "x\n".write(to: directory.appendingPathComponent("profiles/use.desc"), atomically: true, encoding: .utf8)
        #expect(try await RepositoryState.read(repository) != plain)
        // Given a git work tree, Then its state is the commit, with a stamp of uncommitted changes when dirty
        let git = { (arguments: [String]) throws in
            let (status, output) = try ExampleFarm.run("/usr/bin/git", ["-C", directory.path, "-c", "user.name=t", "-c", "user.email=t@t"] + arguments)
            #expect(status == 0, "\(output)")
        }
        try git(["init", "-q"])
        try git(["add", "."])
        try git(["commit", "-qm", "one"])
        let (_, head) = try ExampleFarm.run("/usr/bin/git", ["-C", directory.path, "rev-parse", "HEAD"])
        #expect(try await RepositoryState.read(repository).state == "git:" + head.trimmingCharacters(in: .whitespacesAndNewlines))
        try "y\n".write(to: directory.appendingPathComponent("profiles/use.desc"), atomically: true, encoding: .utf8)
        #expect(try await RepositoryState.read(repository).state.contains("+changes:"))
    }
}
