import CPU
import Foundation
import Testing
import TestSupport

@Suite("GCC's -march table")
struct MarchTableTests {
    @Test("Given the gcc on this host, when it lists what each -march enables (and compiles cmov and cmpxchg8b probes), then the table agrees")
    func agreesWithGCC() throws {
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/gcc-march-features.py").path
        let (status, output) = try ExampleFarm.run("/usr/bin/python3", [script] + March.all.map(\.name))
        #expect(status == 0, "\(output)")
        var compared = 0, unknownToGCC: [String] = []
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let march = try #require(March.named(parts[0]))
            if parts[1] == "unknown" { unknownToGCC.append(march.name); continue }
            let gcc = Set(parts[1].split(separator: " ").map { ISAFeature(rawValue: String($0)) })
            #expect(gcc == march.features, "\(march.name): GCC \(gcc.subtracting(march.features).names) / table \(march.features.subtracting(gcc).names)")
            compared += 1
        }
        #expect(compared >= 90)
        // Names composed for GCC 13 and later, which GCC 12.2 does not know yet.
        #expect(Set(unknownToGCC).isSubset(of: ["raptorlake", "meteorlake", "emeraldrapids", "graniterapids", "graniterapids-d",
                                               "sierraforest", "grandridge", "arrowlake", "arrowlake-s", "lunarlake",
                                               "pantherlake", "znver4", "znver5"]), "\(unknownToGCC)")
    }

    @Test("Given catalyst's x86 and amd64 subarch tables, when each subarch's -march is looked up, then its CPU_FLAGS_X86 are catalyst's")
    func agreesWithCatalyst() throws {
        var checked = 0
        for file in ["catalyst-arch-x86.toml", "catalyst-arch-x86-2024-with-pentium4-pentium-m-prescott.toml", "catalyst-arch-amd64.toml"] {
            let text = try String(contentsOf: Fixtures.testdata("catalyst/\(file)"), encoding: .utf8)
            for section in text.components(separatedBy: "\n[").dropFirst() {
                guard let flagsLine = section.split(separator: "\n").first(where: { $0.hasPrefix("COMMON_FLAGS") }),
                      let cpuFlagsLine = section.split(separator: "\n").first(where: { $0.hasPrefix("CPU_FLAGS_X86") }) else { continue }
                let words = flagsLine.split(separator: "\"")[1].split(separator: " ")
                guard let marchWord = words.first(where: { $0.hasPrefix("-march=") }),
                      let march = March.named(String(marchWord.dropFirst(7))) else { continue }
                var features = march.features
                for word in words where word.hasPrefix("-m") && !word.hasPrefix("-march") && !word.contains("=") {
                    features.formUnion(GCCOptions.features(option: String(word.dropFirst(2))) ?? [])
                }
                let catalyst = Set(cpuFlagsLine.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) })
                let ours = Set(Set<ISAFeature>(cpuinfoFlags: features.map(\.rawValue)).cpuFlagsX86)
                #expect(catalyst.isSubset(of: ours), "\(file) [\(section.prefix(while: { $0 != "]" }))]: catalyst \(catalyst.sorted()) ours \(ours.sorted())")
                checked += 1
            }
        }
        #expect(checked >= 15)
    }

    @Test("Given every real dump and a class for every -march name, when classified, then no CPU is ever put in a class it lacks a feature for")
    func neverUnrunnable() throws {
        let classes = March.all.map { ClassRequirements(name: $0.name, longMode: false, march: $0) }
        var placed = 0
        for (name, url) in try Dumps.x86() {
            let cpu = try Dumps.describe(url)
            let result = Classification(cpu, classes: classes)
            guard let chosen = result.chosen else { continue }
            let needs = try #require(classes.first { $0.name == chosen }).needs.keys
            #expect(Set(needs).isSubset(of: cpu.features ?? []), "\(name) → \(chosen)")
            placed += 1
        }
        #expect(placed >= 90)
    }
}
