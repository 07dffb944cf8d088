import FarmModel
import Foundation
import Testing
import TestSupport
@testable import Farm

/// The ISA audit on roots the real emerge builds: a PIII package built with SSE2 is caught before and after publishing.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct ISAAuditEndToEndTests {
    let farmctl = Fixtures.farmctl

    func build(_ farm: ExampleFarm, warnings: WarningLog) async throws -> ClassOutcome? {
        let summary = try await Farm.load(configPath: farm.config.path).build(classes: ["PIII"], verbose: false) { event in
            if case .warning(let text) = event { warnings.append(text) }
        }
        return summary.classes.first { $0.nodeClass.rawValue == "PIII" }?.outcome
    }

    @Test func anSSE2BuiltPackageInThePIIIClassIsNamedAndStrictISARefusesToPublishIt() async throws {
        // Given the PIII class with cpubench built by package.env with -msse2 -mfpmath=sse, and strict_isa = true
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try farm.write("profiles/PIII/package.env", "app-misc/cpubench sse2.conf\n")
        try FileManager.default.createDirectory(at: farm.url("profiles/PIII/env"), withIntermediateDirectories: true)
        try farm.write("profiles/PIII/env/sse2.conf", "CFLAGS=\"-O2 -march=pentium3 -msse2 -mfpmath=sse\"\n")
        try farm.replace(in: "profiles/PIII/class.toml", "strict_isa = false", with: "strict_isa = true")

        // When it is built, Then the class fails before `current` exists, naming the package, file and feature
        let strict = WarningLog()
        guard case .failed(let reason) = try await build(farm, warnings: strict) else { Issue.record("PIII published an SSE2 root"); return }
        #expect(reason.contains("app-misc/cpubench-1.0 /usr/bin/cpubench: sse2 in"), "\(reason)")
        #expect(reason.contains("strict_isa = true"))
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots/PIII/current").path))

        // When strict_isa is off, Then the root publishes with one warning naming the same file
        try farm.replace(in: "profiles/PIII/class.toml", "strict_isa = true", with: "strict_isa = false")
        let lenient = WarningLog()
        #expect(try await build(farm, warnings: lenient) == .published(generation: 2))
        #expect(lenient.all.filter { $0.contains("/usr/bin/cpubench: sse2") }.count == 1, "\(lenient.all)")
        // and each generation keeps its audit: `fail` for the refused one, `warn` for the published one
        let (_, listing) = try ExampleFarm.run(farmctl, ["roots", "list", "PIII", "--config", farm.config.path])
        #expect(listing.contains("isa fail: 1 file(s): app-misc/cpubench-1.0") && listing.contains("isa warn: 1 file(s)"), "\(listing)")
        let (_, rootQuery) = try ExampleFarm.run(farmctl, ["query", "root", "PIII", "--config", farm.config.path])
        #expect(rootQuery.contains("ISA audit before publishing: warn: 1 file(s): app-misc/cpubench-1.0 /usr/bin/cpubench: sse2"), "\(rootQuery)")
        // and `--package` audits that package's files only, naming it in the per-package summary
        let (onlyStatus, only) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--package", "app-misc/cpubench", "--config", farm.config.path])
        #expect(onlyStatus == 1 && only.contains("app-misc/cpubench-1.0: 1 file(s), sse2") && only.contains(": 1 ELF files decoded"), "\(only)")
        let (noneStatus, none) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--package", "app-misc/nope", "--config", farm.config.path])
        #expect(noneStatus == 2 && none.contains("holds no package matching app-misc/nope"), "\(none)")

        // And `farmctl roots audit PIII` fails (exit 1) naming the instruction, function and file; JSON says the same
        let (status, output) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--config", farm.config.path])
        #expect(status == 1, "\(output)")
        #expect(output.contains("FAIL /usr/bin/cpubench (app-misc/cpubench-1.0)"), "\(output)")
        #expect(output.contains("sse2") && output.contains("xmm"), "\(output)")
        #expect(!output.contains("FAIL /usr/bin/fhsum"))
        let (_, json) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--json", "--config", farm.config.path])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let files = (decoded?["report"] as? [String: Any])?["files"] as? [[String: Any]] ?? []
        #expect(files.contains { $0["path"] as? String == "/usr/bin/cpubench" && $0["package"] as? String == "app-misc/cpubench-1.0" }, "\(json)")

        // When the class allows the file, Then the audit passes (exit 0) and lists it as allowed
        try farm.replace(in: "profiles/PIII/class.toml", "allow = [", with: "allow = [\"/usr/bin/cpubench\", ")
        let (allowedStatus, allowed) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--config", farm.config.path])
        #expect(allowedStatus == 0 && allowed.contains("allowed /usr/bin/cpubench") && allowed.contains("PASS"), "\(allowed)")

        // And bad input is exit 2 with one error: a generation that is not there, an [audit] key that is not known
        let (missingStatus, missing) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--generation", "9", "--config", farm.config.path])
        #expect(missingStatus == 2 && missing.contains("no generation 9 on disk"), "\(missing)")
        try farm.replace(in: "profiles/PIII/class.toml", "strict_isa = false", with: "strict = false")
        let (keyStatus, key) = try ExampleFarm.run(farmctl, ["roots", "audit", "PIII", "--config", farm.config.path])
        #expect(keyStatus == 2 && key.contains("class.toml:") && key.contains("unknown key `strict` in [audit]") && key.contains("strict_isa"), "\(key)")
    }
}
