import FarmModel
import Foundation
import Store
import Testing
import TestSupport
@testable import Farm

/// `farmctl nightly` as the timer runs it: the farmctl binary on a copy of the example farm with the real emerge,
/// killed with SIGKILL at each kill point (`FARMCTL_KILL_AT`), locked out, after an ebuild bump and a damaged binpkg.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct NightlyEndToEndTests {
    let farmctl = Fixtures.farmctl

    func nightly(_ farm: ExampleFarm, _ arguments: [String] = [], killAt point: String? = nil) throws -> ExampleFarm.Ended {
        try ExampleFarm.launch(farmctl, ["nightly", "--config", farm.config.path] + arguments,
                               environment: point.map { ["FARMCTL_KILL_AT": $0] } ?? [:])
    }

    @Test func aRunKilledAtEachPointIsFinishedByTheNextWithoutRedoingBuilds() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let loaded = try Farm.load(configPath: farm.config.path)

        // Given a fresh farm, When nightly is killed while planning
        let planning = try nightly(farm, ["PIII"], killAt: "planned")
        // Then it died by SIGKILL, leaving its run `running` and its line in the lock file
        #expect(planning.signal == SIGKILL, "\(planning.output)")
        #expect(try loaded.openStore().runs().first?.status == .running)
        #expect(try farm.read("var/farmctl.lock").contains("command=nightly"))

        // When the next is killed right after its second build is recorded
        let built = try nightly(farm, ["PIII"], killAt: "build-recorded:2")
        #expect(built.signal == SIGKILL, "\(built.output)")
        // Then it found the dead run, and two builds are done
        #expect(built.output.contains("recovered: farmctl nightly (pid"), "\(built.output)")
        let done = try loaded.openStore().builds().filter { $0.status == .succeeded }
        #expect(done.count == 2)

        // When the next is killed while an emerge build is writing output (the emerge keeps running)
        let midBuild = try nightly(farm, ["PIII"], killAt: "build-output")
        #expect(midBuild.signal == SIGKILL, "\(midBuild.output)")

        // When the next is killed after an emerge wrote its binpkg, before the store recorded the build
        let emerged = try nightly(farm, ["PIII"], killAt: "build-emerged")
        #expect(emerged.signal == SIGKILL, "\(emerged.output)")
        let unrecorded = try #require(emerged.output.split(separator: "\n").last { $0.contains(": building ") })
            .components(separatedBy: ": building ").last!.components(separatedBy: " on ").first!

        // When the next is killed after installing packages into a new generation, before `current`
        let assembling = try nightly(farm, ["PIII"], killAt: "assembling")
        #expect(assembling.signal == SIGKILL, "\(assembling.output)")
        // Then it had cleared the build the previous run left running, and no process of that run is left (an
        // emerge whose farmctl died mostly dies of SIGPIPE on its next line; those still running are stopped by
        // their FARMCTL_RUN marker: RunSafetyTests covers that deterministically)
        let midRun = try #require(try loaded.openStore().runs().dropFirst(2).first?.id)
        // and it quarantined the binpkg no build vouched for, and built that package again
        #expect(assembling.output.contains("no build recorded for it"), "\(assembling.output)")
        #expect(assembling.output.contains("PIII: building \(unrecorded) on"), "\(unrecorded): \(assembling.output)")
        #expect(assembling.output.contains("build(s) it left running are redone if still needed"), "\(assembling.output)")
        #expect(LeftoverProcesses.find(marker: "FARMCTL_RUN=" + loaded.runMarker(midRun)).isEmpty)
        #expect(FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/1/var/db/pkg").path))
        #expect(RootLink.current(in: farm.url("var/roots/PIII").path) == nil)

        // When nightly runs to the end
        let finished = try nightly(farm, ["PIII"])
        // Then it publishes a complete generation 2, removed the partial one, and no completed build ran twice
        #expect(finished.status == 0, "\(finished.output)")
        #expect(finished.output.contains("partial generation(s) PIII/1 removed"), "\(finished.output)")
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/1").path))
        #expect(RootLink.current(in: farm.url("var/roots/PIII").path) == 2)
        let store = try loaded.openStore()
        let succeeded = try store.builds().filter { $0.status == .succeeded }
        let twice = Dictionary(grouping: succeeded, by: { "\($0.class)/\($0.cpv)" }).filter { $0.value.count > 1 }
        #expect(twice.isEmpty, "built twice: \(twice.keys.sorted())")
        for build in done { #expect(succeeded.contains(build)) }
        let (_, packages) = try loaded.rootPackages(class: "PIII", generation: nil)
        #expect(Set(try RootTree.installedPackages(farm.url("var/roots/PIII/current"))) == Set(packages.map(\.cpv)))
        #expect(try store.integrityCheck() == ["ok"])
        #expect(try store.runs().map(\.status) == [.succeeded] + Array(repeating: .interrupted, count: 5))
        #expect(try store.builds().allSatisfy { $0.status != .running })
        #expect(try farm.read("var/farmctl.lock").isEmpty)

        // When nightly runs again
        let count = try store.builds().count
        let again = try nightly(farm, ["PIII"])
        // Then it builds nothing and keeps generation 2
        #expect(again.status == 0 && again.output.contains("nothing to build"), "\(again.output)")
        #expect(try store.builds().count == count)
        #expect(again.output.contains("unchanged (generation 2 stays current)"))
    }

    @Test func aSecondRunRefusesOrWaitsForTheLockHolder() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let state = farm.url("var").path
        // Given a run holding the farm lock
        var holder: FarmLock? = try FarmLock.take(directory: state, command: "nightly")
        // When another nightly starts
        let refused = try nightly(farm)
        // Then it refuses at once with exit 2, naming the holder
        #expect(refused.status == 2)
        #expect(refused.output.contains("farmctl nightly (pid \(getpid())"), "\(refused.output)")
        #expect(refused.output.contains("--wait"))

        // When one starts with --wait, and the holder finishes a moment later
        let (program, config) = (farmctl, farm.config.path)
        let waiter = Task.detached { try ExampleFarm.launch(program, ["nightly", "--no-sync", "--config", config, "--wait", "PIII"]) }
        try await Task.sleep(for: .milliseconds(1500))
        #expect(holder != nil)
        holder = nil
        let waited = try await waiter.value
        // Then it said it was waiting, and then ran to the end
        #expect(waited.output.contains("waiting for farmctl nightly (pid \(getpid())"), "\(waited.output)")
        #expect(waited.status == 0, "\(waited.output)")
        #expect(RootLink.current(in: farm.url("var/roots/PIII").path) == 1)
    }

    @Test func aBumpRebuildsOnlyItsConsumersAndADamagedBinpkgIsRebuilt() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try farm.replace(in: "workers.conf", "[farm]\n", with: "[farm]\nkeep_generations = 1\nsync = \"touch synced\"\n")
        let loaded = try Farm.load(configPath: farm.config.path)
        let first = try nightly(farm, ["--json"])
        #expect(first.status == 0, "\(first.output)")
        #expect(FileManager.default.fileExists(atPath: farm.url("synced").path))

        // Given nothing changed, When nightly runs twice, Then the first plans nothing and remembers it, and the
        // second does not plan (no emerge) and says since which run; `--replan` plans anyway
        let planned = try nightly(farm)
        #expect(planned.status == 0 && planned.output.contains("planning with emerge"), "\(planned.output)")
        let remembered = try nightly(farm, ["--json"])
        #expect(remembered.status == 0, "\(remembered.output)")
        #expect(!remembered.output.contains("planning with emerge") && remembered.output.contains("not planned"), "\(remembered.output)")
        let memo = try JSONSerialization.jsonObject(with: Data(jsonPart(remembered.output).utf8)) as? [String: Any]
        let memoClasses = try #require(memo?["classes"] as? [[String: Any]])
        #expect(memoClasses.map { $0["root"] as? String } == ["unchanged", "unchanged"])
        #expect(memoClasses.allSatisfy { ($0["not_planned_since"] as? Int).map { $0 > 0 } == true } && memoClasses.map { $0["reused"] as? Int } == [9, 9])
        let replanned = try nightly(farm, ["--replan"])
        #expect(replanned.status == 0 && replanned.output.contains("planning with emerge"), "\(replanned.output)")

        // Given a published farm, When libfarmhash gets a new revision with a new subslot
        let ebuilds = "repo/dev-libs/libfarmhash"
        try farm.write("\(ebuilds)/libfarmhash-1.0-r1.ebuild",
                       try farm.read("\(ebuilds)/libfarmhash-1.0.ebuild").replacingOccurrences(of: "SLOT=\"0/1\"", with: "SLOT=\"0/2\""))
        let store = try loaded.openStore()
        let before = try store.builds().count
        let bumped = try nightly(farm, ["--json"])
        #expect(bumped.status == 0, "\(bumped.output)")
        // Then each class rebuilt just it and its := consumer fhsum, and published generation 2
        let newBuilds = try store.builds().prefix(try store.builds().count - before)
        for name in ["PIII", "AthlonXP"] {
            let mine = newBuilds.filter { $0.class == name }.map(\.cpv).sorted()
            #expect(mine == ["app-misc/fhsum-1.0", "dev-libs/libfarmhash-1.0-r1"], "\(name): \(mine)")
            #expect(RootLink.current(in: farm.url("var/roots/\(name)").path) == 2)
        }
        let summary = try JSONSerialization.jsonObject(with: Data(jsonPart(bumped.output).utf8)) as? [String: Any]
        let classes = try #require(summary?["classes"] as? [[String: Any]])
        #expect(classes.map { $0["root"] as? String } == ["published", "published"])
        #expect(classes.map { $0["built"] as? Int } == [2, 2])
        #expect(classes.map { $0["reused"] as? Int } == [7, 7])
        let inputs = try #require(summary?["inputs"] as? [[String: Any]])
        #expect((inputs.first?["state"] as? String)?.hasPrefix("tree:") == true)
        // and gc (keep_generations = 1) deleted generation 1 and the binpkgs only it held
        let gc = try #require(summary?["gc"] as? [String: Any])
        #expect((gc["generations"] as? [String])?.sorted() == ["AthlonXP/1", "PIII/1"])
        let removed = try #require(gc["binpkgs"] as? [String])
        #expect(removed.count == 4 && removed.allSatisfy { $0.contains("libfarmhash-1.0-") || $0.contains("fhsum-1.0-") }, "\(removed)")
        #expect(removed.allSatisfy { !FileManager.default.fileExists(atPath: $0) })

        // When one byte of a binpkg PIII's root uses flips on disk (its size and mtime unchanged)
        let libstr = try #require(try store.builds(class: ClassName("PIII")!).first { $0.cpv == "dev-libs/libstr-1.0" })
        let path = try #require(libstr.binpkgPath)
        try flipByte(in: path)
        let beforeRepair = try store.builds().count
        let repaired = try nightly(farm)
        // Then the nightly finds it by its SHA-256, quarantines it, rebuilds only it, and publishes
        #expect(repaired.status == 0, "\(repaired.output)")
        #expect(repaired.output.contains("damaged on disk"), "\(repaired.output)")
        #expect(repaired.output.contains("damaged binpkgs quarantined and rebuilt: dev-libs/libstr-1.0"), "\(repaired.output)")
        let rebuilt = try store.builds().prefix(try store.builds().count - beforeRepair)
        #expect(rebuilt.map(\.cpv) == ["dev-libs/libstr-1.0"])
        #expect(try store.quarantined(class: ClassName("PIII")!).first?.kind == "damaged")
        #expect(RootLink.current(in: farm.url("var/roots/PIII").path) == 3)
        #expect(RootLink.current(in: farm.url("var/roots/AthlonXP").path) == 2)

        // And the day-to-day views: the last run, its inputs, a build's log
        let (status, statusText) = try ExampleFarm.run(farmctl, ["status", "--config", farm.config.path])
        #expect(status == 0 && statusText.contains("idle; last run:") && statusText.contains("nightly"), "\(statusText)")
        let (runsStatus, runs) = try ExampleFarm.run(farmctl, ["query", "runs", "--config", farm.config.path])
        #expect(runsStatus == 0 && runs.components(separatedBy: "inputs: farm tree:").count == 7, "\(runs)")
        let (logStatus, log) = try ExampleFarm.run(farmctl, ["logs", "PIII/dev-libs/libstr", "--config", farm.config.path])
        #expect(logStatus == 0 && log.contains(">>> Emerging") , "\(log.suffix(300))")
        let (badStatus, bad) = try ExampleFarm.run(farmctl, ["logs", "PIII/dev-libs/nothere", "--config", farm.config.path])
        #expect(badStatus == 2 && bad.contains("class PIII has no build of dev-libs/nothere"), "\(bad)")
    }

    @Test func aFailedSyncBuildsNothingAndExitsOne() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try farm.replace(in: "workers.conf", "[farm]\n", with: "[farm]\nsync = \"echo mirror unreachable; exit 3\"\n")
        // Given a sync command that fails, When nightly runs
        let ended = try nightly(farm)
        // Then it exits 1 without planning, and the run is recorded as failed
        #expect(ended.status == 1, "\(ended.output)")
        #expect(ended.output.contains("FAILED") && !ended.output.contains("planning"), "\(ended.output)")
        let run = try #require(try Farm.load(configPath: farm.config.path).openStore().runs().first)
        #expect(run.status == .failed)
        #expect(try farm.read("var/logs/sync-\(run.id!).log").contains("mirror unreachable"))
        // and --no-sync skips the step
        let skipped = try ExampleFarm.launch(farmctl, ["nightly", "--no-sync", "--config", farm.config.path, "--json", "PIII"],
                                             environment: ["FARMCTL_KILL_AT": "planned"])
        #expect(skipped.signal == SIGKILL && skipped.output.contains("planning"), "\(skipped.output)")
    }

    /// Flips one byte in the middle of a file and puts its modification time back, as bit rot would.
    func flipByte(in path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count / 2] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate]!], ofItemAtPath: path)
    }

    /// The JSON document at the end of `--json` output (progress lines come before it on standard error).
    func jsonPart(_ output: String) throws -> String {
        let start = try #require(output.range(of: "\n{\n", options: .backwards)).lowerBound
        return String(output[output.index(after: start)...])
    }
}
