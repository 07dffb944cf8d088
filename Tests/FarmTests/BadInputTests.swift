import Farm
import Foundation
import Testing
import TestSupport

/// Bad input: one clear error (file and line, or class and atom), exit 2, nothing written to the roots; the store,
/// if the error came after the run started (planning, distfiles), holds only that run, recorded as failed.
@Suite(.enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct BadInputTests {
    let farmctl = Fixtures.farmctl

    /// Runs `farmctl build` on a broken copy and checks the error and that nothing was written.
    func expectRefused(_ arguments: [String] = [], breaking: (ExampleFarm) throws -> Void,
                       mentions: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try breaking(farm)
        let (status, output) = try ExampleFarm.run(farmctl, ["build", "--plain", "--config", farm.config.path] + arguments)
        #expect(status == 2, "\(output)", sourceLocation: sourceLocation)
        #expect(output.contains("error: ") && output.contains("fix: "), "\(output)", sourceLocation: sourceLocation)
        for text in mentions { #expect(output.contains(text), "\(text) not in: \(output)", sourceLocation: sourceLocation) }
        #expect(output.components(separatedBy: "error: ").count == 2, "one error only: \(output)", sourceLocation: sourceLocation)
        if FileManager.default.fileExists(atPath: farm.url("var/farm.sqlite").path) {
            let store = try Farm.load(configPath: farm.config.path).openStore()
            #expect(try store.runs().map(\.status) == [.failed], sourceLocation: sourceLocation)
            #expect(try store.runs().first?.failure?.contains(mentions[0]) == true, sourceLocation: sourceLocation)
            #expect(try store.builds().isEmpty && store.generations().isEmpty, sourceLocation: sourceLocation)
        }
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots").path), sourceLocation: sourceLocation)
    }

    @Test func malformedWorkersConf() throws {
        let lines = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("workers.conf"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("jobs = 2") }) + 1
        try expectRefused(breaking: { try $0.replace(in: "workers.conf", "jobs = 2", with: "jobs = two") },
                          mentions: ["workers.conf:\(line)", "`two`"])
    }

    @Test func unknownKeyInWorkersConfSuggestsTheRightOne() throws {
        try expectRefused(breaking: { try $0.replace(in: "workers.conf", "arches =", with: "arch =") },
                          mentions: ["workers.conf:", "arch"])
    }

    @Test func unknownClass() throws {
        try expectRefused(["PIV"], breaking: { _ in }, mentions: ["unknown class PIV", "AthlonXP, PIII"])
    }

    @Test func brokenClassToml() throws {
        try expectRefused(breaking: { try $0.replace(in: "profiles/AthlonXP/class.toml", "arch = \"x86\"", with: "arch = \"sparc\"") },
                          mentions: ["profiles/AthlonXP/class.toml:", "sparc"])
    }

    @Test func missingEmerge() throws {
        try expectRefused(breaking: { try $0.append(to: "workers.conf", "") ; try $0.replace(in: "workers.conf", "emerge = \"\(ExampleFarm.emerge)\"", with: "emerge = \"/nonexistent/bin/emerge\"") },
                          mentions: ["/nonexistent/bin/emerge", "make bootstrap"])
    }

    @Test func aMissingStageNamesTheSettingAndTheScript() throws {
        try expectRefused(breaking: { try FileManager.default.removeItem(at: $0.url(ExampleFarm.stagePath)) },
                          mentions: ["profiles/AthlonXP/class.toml:12: [base] stage", "does not exist", "make-stage.sh"])
    }

    @Test func aStageForAnotherArchitectureIsRefused() throws {
        try expectRefused(breaking: { farm in
            let tree = farm.url("stage-64")
            try StageFixture.makeDirectory(tree, shell: .x86_64, services: ExampleFarm.stageServices)
            try StageFixture.pack(tree, to: farm.url(ExampleFarm.stagePath))
        }, mentions: ["example-i386.tar.zst holds /bin/sh for 64-bit x86-64, but the class is arch x86", "stage3-i686"])
    }

    @Test func unknownAtomNamesClassFileAndLine() throws {
        try expectRefused(breaking: { try $0.append(to: "profiles/PIII/packages", "app-misc/no-such-package\n") },
                          mentions: ["profiles/PIII/packages:3", "class PIII", "app-misc/no-such-package"])
    }

    @Test func aDistfileThatFailsItsManifest() throws {
        try expectRefused(breaking: { farm in
            let file = farm.url("mirror/libstr-1.0.tar.gz")
            var data = try Data(contentsOf: file)
            data[data.count / 2] ^= 0xFF
            try data.write(to: file)
        }, mentions: ["libstr-1.0.tar.gz", "Manifest", "BLAKE2B"])
    }
}

extension BadInputTests {
    @Test("Given CFLAGS with a -march GCC does not know, when building, then one error names make.conf's line and suggests the name")
    func unknownMarch() throws {
        try expectRefused(breaking: { try $0.replace(in: "profiles/PIII/make.conf", "-march=pentium3", with: "-march=pentium-3") },
                          mentions: ["profiles/PIII/make.conf:4", "-march=pentium-3", "pentium3"])
    }

    @Test("Given -march=native in a class's CFLAGS, when building, then it is refused: it would build for the build host")
    func marchNative() throws {
        try expectRefused(breaking: { try $0.replace(in: "profiles/AthlonXP/make.conf", "-march=athlon-xp", with: "-march=native") },
                          mentions: ["profiles/AthlonXP/make.conf:4", "-march=native"])
    }

    @Test("Given an unknown feature in [cpu] requires, when building, then class.toml's line is named")
    func unknownRequiredFeature() throws {
        try expectRefused(breaking: { try $0.append(to: "profiles/PIII/class.toml", "\n[cpu]\nrequires = [\"sse9\"]\n") },
                          mentions: ["profiles/PIII/class.toml:", "sse9"])
    }
}
