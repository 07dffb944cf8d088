import FarmModel
import Foundation
import Testing
import TestSupport
@testable import Store

/// Every write method of `FarmStore`, each on an in-memory store and on a file-backed (WAL) one, each followed by
/// the reads that show what it wrote and SQLite's integrity check.
@Suite struct StoreWriteTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case memory, file
        var testDescription: String { rawValue }
    }

    /// A fresh store of `backend`, and a cleanup for its directory.
    func store(_ backend: Backend) throws -> (FarmStore, () -> Void) {
        switch backend {
        case .memory: return (try FarmStore(), {})
        case .file:
            let directory = try Fixtures.temporaryDirectory("store")
            let store = try FarmStore(path: directory.appendingPathComponent("farm.sqlite").path)
            return (store, { try? FileManager.default.removeItem(at: directory) })
        }
    }

    let piii = ClassName("PIII")!
    let sha = String(repeating: "ab", count: 32)
    func binpkg(_ path: String, _ sha256: String) -> FarmStore.BuiltBinpkg {
        .init(path: path, size: 10, sha256: sha256, portageBuildID: 1, chost: "i686-pc-linux-gnu", cflags: "-O2", use: "sse")
    }

    @Test(arguments: Backend.allCases)
    func buildsStartSucceedAndFail(_ backend: Backend) throws {
        let (store, cleanup) = try store(backend)
        defer { cleanup() }
        // Given a run, When one build succeeds and one fails
        let run = try store.beginRun(command: "build", classes: ["PIII"], pid: 1, host: "h")
        let good = try store.recordBuildStarted(class: piii, cpv: CPV("dev-libs/a-1")!, worker: "w", logPath: "/l/a", run: run)
        try store.recordBuildSucceeded(good, binpkg: binpkg("/p/a-1-1.xpak", sha))
        let bad = try store.recordBuildStarted(class: piii, cpv: CPV("dev-libs/b-1")!, worker: "w", logPath: "/l/b", run: run)
        try store.recordBuildFailed(bad, exitStatus: 1, signal: nil, reason: "compile error")
        // Then both are recorded with their outcome, the run's builds and the binpkg's digest
        let builds = try store.builds(inRun: run)
        #expect(builds.map(\.status.rawValue).sorted() == ["failed", "succeeded"])
        #expect(try store.build(good)?.binpkgSHA256 == sha && store.build(bad)?.failure == "compile error")
        #expect(try store.recordedDigests(paths: ["/p/a-1-1.xpak"]) == ["/p/a-1-1.xpak": sha])
        #expect(try store.build(withBinpkgSHA256: sha)?.id == good)
        // and a write to a build that does not exist names it
        #expect(throws: StoreError.self) { try store.recordBuildFailed(999, exitStatus: 1, signal: nil, reason: "x") }
        // When gc removes the binpkg, Then it no longer vouches for that path
        try store.recordBinpkgsRemoved(paths: ["/p/a-1-1.xpak"])
        #expect(try store.recordedDigests(paths: ["/p/a-1-1.xpak"]).isEmpty)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test(arguments: Backend.allCases)
    func generationsBeginPublishFailAndArePruned(_ backend: Backend) throws {
        let (store, cleanup) = try store(backend)
        defer { cleanup() }
        let build = try store.recordBuildStarted(class: piii, cpv: CPV("dev-libs/a-1")!, worker: "w", logPath: "/l")
        try store.recordBuildSucceeded(build, binpkg: binpkg("/p/a", sha))
        // When generation 1 is published with a stage digest and generation 2 fails
        let one = try store.beginGeneration(class: piii, overlayDigest: "o", kernel: ("6.1", "k m"),
                                            stageDigest: "sha256:" + sha) { "/roots/PIII/\($0)" }
        try store.publishGeneration(one.id!, packages: [.init(cpv: "dev-libs/a-1", buildId: build, sha256: sha)])
        let two = try store.beginGeneration(class: piii, overlayDigest: "o") { "/roots/PIII/\($0)" }
        try store.failGeneration(two.id!, reason: "no kernel")
        try store.recordGenerationPruned(one.id!)
        // Then each is read back as written
        let stored = try #require(try store.generation(class: piii, number: 1))
        #expect(stored.status == .published && stored.stageDigest == "sha256:" + sha && stored.kernelRelease == "6.1")
        #expect(stored.pruned != nil)
        #expect(try store.generation(class: piii, number: 2)?.failure == "no kernel")
        #expect(try store.packages(inGeneration: one.id!).map(\.cpv) == ["dev-libs/a-1"])
        // and the schema refuses a stage digest that is not one
        #expect(throws: (any Error).self) {
            try store.beginGeneration(class: piii, overlayDigest: "o", stageDigest: "md5:1") { "/roots/PIII/\($0)" }
        }
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test(arguments: Backend.allCases)
    func importsAndQuarantineDecideWhatIsRebuilt(_ backend: Backend) throws {
        let (store, cleanup) = try store(backend)
        defer { cleanup() }
        // Given an imported binpkg (imported twice: the second is a no-op)
        let imported = try store.recordImportedBinpkg(class: piii, cpv: CPV("dev-libs/a-1")!, binpkg: binpkg("/p/a", sha),
                                                      builtAt: Date(timeIntervalSince1970: 1), source: "/old/pkgdir")
        #expect(imported != nil)
        #expect(try store.recordImportedBinpkg(class: piii, cpv: CPV("dev-libs/a-1")!, binpkg: binpkg("/p/a", sha),
                                               builtAt: Date(), source: "/old/pkgdir") == nil)
        // When it is quarantined, Then it is pending until a build of it succeeds after the quarantine
        try store.recordQuarantine(class: piii, cpv: CPV("dev-libs/a-1")!, kind: .damaged, reason: "flipped byte",
                                   originalPath: "/p/a", quarantinePath: "/q/a", sha256: sha, at: Date(timeIntervalSince1970: 10))
        #expect(try store.pendingRebuilds(class: piii).map(\.cpv) == ["dev-libs/a-1"])
        #expect(try store.quarantined().first?.kind == "damaged")
        let rebuilt = try store.recordBuildStarted(class: piii, cpv: CPV("dev-libs/a-1")!, worker: "w", logPath: "/l",
                                                   at: Date(timeIntervalSince1970: 20))
        try store.recordBuildSucceeded(rebuilt, binpkg: binpkg("/p/a2", String(repeating: "cd", count: 32)))
        #expect(try store.pendingRebuilds(class: piii).isEmpty)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test(arguments: Backend.allCases)
    func runsFinishOrAreFoundInterrupted(_ backend: Backend) throws {
        let (store, cleanup) = try store(backend)
        defer { cleanup() }
        // Given a finished run and one that died with a running build and an assembling generation
        let done = try store.beginRun(command: "nightly", classes: ["PIII"], pid: 1, host: "h")
        try store.recordRunInputs(done, inputs: "[{\"state\":\"git:abc\"}]")
        try store.finishRun(done, succeeded: true, summary: "{}")
        let dead = try store.beginRun(command: "build", classes: ["PIII"], pid: 2, host: "h")
        _ = try store.recordBuildStarted(class: piii, cpv: CPV("dev-libs/a-1")!, worker: "w", logPath: "/l", run: dead)
        _ = try store.beginGeneration(class: piii, overlayDigest: "o", run: dead) { "/roots/PIII/\($0)" }
        // When recovery records it
        let interrupted = try store.recordInterrupted()
        // Then that run, build and generation are marked in one step, and the finished run keeps its inputs
        #expect(interrupted.runs.map(\.id) == [dead] && interrupted.builds.count == 1 && interrupted.generations.count == 1)
        #expect(try store.run(dead)?.status == .interrupted && store.run(done)?.status == .succeeded)
        #expect(try store.run(done)?.inputs?.contains("git:abc") == true)
        #expect(try store.generation(class: piii, number: 1)?.status == .failed)
        #expect(try store.recordInterrupted().runs.isEmpty)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test(arguments: Backend.allCases)
    func nodesAndWorkerCPUsAreRecordedAndReclassified(_ backend: Backend) throws {
        let (store, cleanup) = try store(backend)
        defer { cleanup() }
        #expect(try store.recordNode(name: "n1", mac: "00:16:3e:00:00:01", class: "PIII", march: "pentium3", modelName: "P3",
                                     cpuinfo: "x", cpuinfoSHA256: sha) == .added)
        #expect(try store.recordNode(name: "n1", mac: "00:16:3e:00:00:01", class: "PIII", march: "pentium3", modelName: "P3",
                                     cpuinfo: "x", cpuinfoSHA256: sha) == .unchanged)
        #expect(try store.recordNode(name: "n1", mac: "00:16:3e:00:00:01", class: "AthlonXP", march: "athlon-xp", modelName: "K7",
                                     cpuinfo: "y", cpuinfoSHA256: String(repeating: "cd", count: 32)) == .reclassified(from: "PIII"))
        #expect(try store.nodes().map(\.class) == ["AthlonXP"])
        try store.recordWorkerCPU(worker: "local", cpuinfo: "flags : sse", cpuinfoSHA256: sha)
        try store.recordWorkerCPU(worker: "local", cpuinfo: "flags : sse sse2", cpuinfoSHA256: sha)
        #expect(try store.workerCPU("local")?.cpuinfo == "flags : sse sse2")
        #expect(try store.integrityCheck() == ["ok"])
    }
}
