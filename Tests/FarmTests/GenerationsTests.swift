import FarmModel
import Foundation
import Store
import Testing
import TestSupport
@testable import Farm

/// `farmctl roots list|rollback|diff` and pruning, on recorded generations (no emerge needed).
@Suite struct GenerationsTests {
    let farmctl = Fixtures.farmctl

    /// A copy of the example farm whose PIII class has published generations 1…count, generation g holding
    /// libstr-1.0, fhsum-1.0 (rebuilt in g ≥ 2), libcsv (1.0, 1.1 from g ≥ 3) and, from g ≥ 4, libini-1.0.
    func farm(generations count: Int, keep: Int = 5) throws -> (ExampleFarm, Farm, FarmStore) {
        let example = try ExampleFarm()
        try example.replace(in: "workers.conf", "[farm]\n", with: "[farm]\nkeep_generations = \(keep)\n")
        let farm = try Farm.load(configPath: example.config.path)
        let store = try farm.openStore()
        let piii = ClassName("PIII")!
        let roots = farm.settings.rootsDirectory(for: piii).path
        func built(_ cpv: String, _ tag: String) throws -> FarmStore.InstalledBinpkg {
            let sha = String(repeating: tag, count: 64)
            let id = try store.recordBuildStarted(class: piii, cpv: CPV(cpv)!, worker: "local", logPath: "/dev/null", at: Date())
            try store.recordBuildSucceeded(id, binpkg: .init(path: "/x/\(cpv)-\(tag)", size: 1, sha256: sha, portageBuildID: 1,
                                                             chost: "i686-pc-linux-gnu", cflags: "-O2", use: ""))
            return .init(cpv: cpv, buildId: id, sha256: sha)
        }
        for g in 1...count {
            let generation = try store.beginGeneration(class: piii, overlayDigest: "d") { "\(roots)/\($0)" }
            try FileManager.default.createDirectory(atPath: generation.path, withIntermediateDirectories: true)
            var packages = [try built("dev-libs/libstr-1.0", "a"), try built("app-misc/fhsum-1.0", g >= 2 ? "c" : "b"),
                            try built(g >= 3 ? "dev-libs/libcsv-1.1" : "dev-libs/libcsv-1.0", "d")]
            if g >= 4 { packages.append(try built("dev-libs/libini-1.0", "e")) }
            try store.publishGeneration(generation.id!, packages: packages)
            try RootLink.switchCurrent(in: roots, to: g)
        }
        return (example, farm, store)
    }

    @Test func diffNamesAddedChangedAndRebuiltPackages() throws {
        // Given generations 1…4
        let (example, farm, _) = try farm(generations: 4)
        defer { example.remove() }
        // When 1 and 4 are compared
        let diff = try farm.diffGenerations(class: "PIII", 1, 4)
        // Then libini was added, libcsv changed version, fhsum was rebuilt, and nothing removed
        #expect(diff.added == ["dev-libs/libini-1.0"])
        #expect(diff.changed == ["dev-libs/libcsv-1.0 → dev-libs/libcsv-1.1"])
        #expect(diff.rebuilt == ["app-misc/fhsum-1.0"])
        #expect(diff.removed.isEmpty)
        // And the reverse direction removes libini
        #expect(try farm.diffGenerations(class: "PIII", 4, 1).removed == ["dev-libs/libini-1.0"])
    }

    @Test func rollbackMovesCurrentToTheNewestOlderGenerationAndQueriesFollow() throws {
        // Given generations 1…3, current = 3
        let (example, farm, _) = try farm(generations: 3)
        defer { example.remove() }
        // When rolled back without a number, Then current points at 2, and `query root` shows generation 2
        #expect(try farm.rollback(class: "PIII", to: nil) == (3, 2))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: example.url("var/roots/PIII/current").path) == "2")
        #expect(try farm.rootPackages(class: "PIII", generation: nil).0.number == 2)
        #expect(try farm.listGenerations(class: "PIII").filter(\.current).map(\.number) == [2])
        // When rolled back to a generation that does not exist, Then one error names the choices
        #expect(throws: FarmError.self) { try farm.rollback(class: "PIII", to: 9) }
        // And the CLI moves it forward again
        let (status, output) = try ExampleFarm.run(farmctl, ["roots", "rollback", "PIII", "3", "--config", example.config.path])
        #expect(status == 0 && output.contains("PIII: current 2 → 3"), "\(output)")
    }

    @Test func pruningKeepsTheNewestPublishedAndCurrentAndRecordsTheRest() throws {
        // Given 6 generations, keep_generations = 2, and current rolled back to 3
        let (example, farm, store) = try farm(generations: 6, keep: 2)
        defer { example.remove() }
        _ = try farm.rollback(class: "PIII", to: 3)
        // When pruned
        let pruned = try farm.pruneGenerations(ClassName("PIII")!, store: store)
        // Then 1, 2 and 4 are deleted and recorded; 5, 6 (newest) and 3 (current) stay
        #expect(pruned == [1, 2, 4])
        let listing = try farm.listGenerations(class: "PIII")
        #expect(listing.filter(\.onDisk).map(\.number).sorted() == [3, 5, 6])
        #expect(listing.filter { $0.pruned != nil }.map(\.number).sorted() == [1, 2, 4])
        // And `roots list` shows them, current marked
        let (status, output) = try ExampleFarm.run(farmctl, ["roots", "list", "PIII", "--config", example.config.path])
        #expect(status == 0 && output.contains("* PIII") && output.contains("pruned"), "\(output)")
    }
}
