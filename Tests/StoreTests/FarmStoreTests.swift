import FarmModel
import Foundation
import Testing
@testable import Store

@Suite struct FarmStoreTests {
    let piii = ClassName("PIII")!
    let sha = String(repeating: "ab", count: 32)

    func built(_ store: FarmStore, _ cpv: String, sha256: String) throws -> Int64 {
        let id = try store.recordBuildStarted(class: piii, cpv: CPV(cpv)!, worker: "local", logPath: "/tmp/x.log")
        try store.recordBuildSucceeded(id, binpkg: .init(path: "/p/\(cpv).xpak", size: 10, sha256: sha256, portageBuildID: 1,
                                                         chost: "i686-pc-linux-gnu", cflags: "-march=pentium3", use: "sse"))
        return id
    }

    @Test func aPublishedGenerationListsItsBinpkgsWithTheirBuilds() throws {
        // Given two successful builds
        let store = try FarmStore()
        let a = try built(store, "dev-libs/liba-1.0", sha256: sha)
        let b = try built(store, "app-misc/hello-2.0", sha256: String(repeating: "cd", count: 32))
        // When a generation is begun and published with both
        let generation = try store.beginGeneration(class: piii, overlayDigest: "x") { "/roots/PIII/\($0)" }
        try store.publishGeneration(generation.id!, packages: [
            .init(cpv: "dev-libs/liba-1.0", buildId: a, sha256: sha),
            .init(cpv: "app-misc/hello-2.0", buildId: b, sha256: String(repeating: "cd", count: 32)),
        ])
        // Then it is the latest, numbered 1, and lists both with the worker that built them
        #expect(try store.latestPublishedGeneration(class: piii)?.number == 1)
        let packages = try store.packages(inGeneration: generation.id!)
        #expect(packages.map(\.cpv) == ["app-misc/hello-2.0", "dev-libs/liba-1.0"])
        #expect(packages.allSatisfy { $0.worker == "local" })
        #expect(try store.locations(cp: "dev-libs/liba").map(\.cpv) == ["dev-libs/liba-1.0"])
    }

    @Test func locationsDoNotConfuseAPackageWithALongerName() throws {
        let store = try FarmStore()
        let a = try built(store, "app-misc/foo-bar-1.0", sha256: sha)
        let generation = try store.beginGeneration(class: piii, overlayDigest: "x") { "/r/\($0)" }
        try store.publishGeneration(generation.id!, packages: [.init(cpv: "app-misc/foo-bar-1.0", buildId: a, sha256: sha)])
        #expect(try store.locations(cp: "app-misc/foo").isEmpty)
        #expect(try store.locations(cp: "app-misc/foo-bar").count == 1)
    }

    @Test func theSchemaRefusesASuccessWithoutItsBinpkg() throws {
        // Given a started build
        let store = try FarmStore()
        let id = try store.recordBuildStarted(class: piii, cpv: CPV("a/b-1")!, worker: "local", logPath: "/l")
        // When it is recorded as succeeded with a digest that is not SHA-256, Then the database refuses
        #expect(throws: (any Error).self) {
            try store.recordBuildSucceeded(id, binpkg: .init(path: "/p", size: 1, sha256: "short", portageBuildID: nil,
                                                             chost: "c", cflags: "f", use: ""))
        }
        #expect(try store.builds().first?.status == .running)
    }

    @Test func generationNumbersGrowPerClass() throws {
        let store = try FarmStore()
        let first = try store.beginGeneration(class: piii, overlayDigest: "x") { "/r/\($0)" }
        try store.failGeneration(first.id!, reason: "test")
        let second = try store.beginGeneration(class: piii, overlayDigest: "x") { "/r/\($0)" }
        let other = try store.beginGeneration(class: ClassName("AthlonXP")!, overlayDigest: "x") { "/r/\($0)" }
        #expect(second.number == 2 && other.number == 1)
        #expect(try store.latestPublishedGeneration(class: piii) == nil)
    }

    @Test func meanBuildSecondsUsesOnlyThatPackage() throws {
        let store = try FarmStore()
        let start = Date(timeIntervalSince1970: 1000)
        let id = try store.recordBuildStarted(class: piii, cpv: CPV("a/foo-1")!, worker: "l", logPath: "/l", at: start)
        try store.recordBuildSucceeded(id, binpkg: .init(path: "/p", size: 1, sha256: sha, portageBuildID: 1, chost: "c", cflags: "f", use: ""),
                                       at: start.addingTimeInterval(30))
        #expect(abs((try store.meanBuildSeconds(cp: "a/foo") ?? 0) - 30) < 0.01)
        #expect(try store.meanBuildSeconds(cp: "a/fo") == nil)
    }
}
