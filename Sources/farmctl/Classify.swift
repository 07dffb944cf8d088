import ArgumentParser
import CPU
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Tell which node class a CPU belongs to, from its /proc/cpuinfo.",
            discussion: """
            A class fits when the CPU has every feature its -march (plus CFLAGS -m options, CPU_FLAGS_X86 and
            [cpu] requires) needs and passes its match rules; the most specific fitting class wins.
            Exit status: 0 a class fits, 1 none does (each class's missing features are listed), 2 bad input.
            """)
        @OptionGroup var options: FarmOptions
        @Argument(help: "A captured /proc/cpuinfo, or - for standard input (default: this machine's /proc/cpuinfo).")
        var file: String = "/proc/cpuinfo"
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let text = try reportingErrors(exitCode: 2) { try readCPUInfo(file) }
            let result = try reportingErrors(exitCode: 2) { try farm.classify(cpuinfo: text, source: file == "-" ? "<stdin>" : file) }
            if json { try printJSON(ClassificationJSON(result)) } else { print(render(result), terminator: "") }
            if result.chosen == nil { throw ExitCode(1) }
        }
    }
}

/// Reads a cpuinfo file, or standard input for `-`.
func readCPUInfo(_ file: String) throws -> String {
    if file == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
    guard let data = FileManager.default.contents(atPath: file) else {
        throw FarmError(problem: "cannot read \(file)", fix: "pass a file holding a node's /proc/cpuinfo, or - to read standard input")
    }
    return String(decoding: data, as: UTF8.self)
}

/// `farmctl classify` for people.
func render(_ result: Classification) -> String {
    let cpu = result.cpu
    var out = ""
    let identity = [cpu.vendorID, cpu.family.map { "family \($0)" }, cpu.model.map { "model \($0)" }, cpu.stepping.map { "stepping \($0)" }]
        .compactMap { $0 }.joined(separator: ", ")
    out += "CPU:            \(cpu.modelName ?? "(no model name)") (\(identity)), \(cpu.processorCount) processor\(cpu.processorCount == 1 ? "" : "s")\(cpu.isVirtual ? ", virtual machine" : "")\n"
    if let native = result.native {
        let same = native.march?.sameISA ?? []
        out += "-march=native:  \(native.name)\(same.isEmpty ? "" : " (same instructions as \(same.joined(separator: ", ")))") — \(native.reason)\n"
        if !native.missing.isEmpty { out += "                GCC adds -mno-… for what the CPU lacks: \(native.missing.names)\n" }
        out += "CPU_FLAGS_X86:  \(cpu.cpuFlagsX86?.joined(separator: " ") ?? "")\n"
    }
    for note in cpu.notes { out += "note:           \(note)\n" }
    out += "classes:\n"
    let width = max(8, result.verdicts.map(\.name.count).max() ?? 0)
    for verdict in result.verdicts {
        out += "  \(verdict.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(verdict.summary)\n"
    }
    if let chosen = result.chosen {
        out += "class:          \(chosen)\n"
        if !result.tiedWith.isEmpty {
            out += "note:           \(result.tiedWith.joined(separator: ", ")) fit\(result.tiedWith.count == 1 ? "s" : "") as well; add a [cpu] vendor or model_name rule to tell them apart\n"
        }
    } else {
        out += "class:          none: no class's code runs on this CPU\n"
    }
    return out
}

/// `farmctl classify --json`.
struct ClassificationJSON: Encodable {
    struct ClassJSON: Encodable {
        var name: String
        var march: String
        var fits: Bool
        var missing: [String]
        var missingReasons: [String: String]
        var failedRules: [String]
    }
    var `class`: String?
    var tiedWith: [String]
    var march: String?
    var marchSameIsa: [String]
    var marchReason: String?
    var marchMissing: [String]
    var cpuFlagsX86: [String]?
    var vendor: String
    var vendorId: String?
    var family: Int?
    var model: Int?
    var stepping: Int?
    var modelName: String?
    var processors: Int
    var virtual: Bool
    var features: [String]?
    var notes: [String]
    var classes: [ClassJSON]

    enum CodingKeys: String, CodingKey {
        case `class`, tiedWith, march, marchSameIsa, marchReason, marchMissing, cpuFlagsX86, vendor, vendorId, family, model,
             stepping, modelName, processors, virtual, features, notes, classes
    }

    /// Writes unknown values as `null` (`class` is null when no class fits), not as missing keys.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(`class`, forKey: .class)
        try c.encode(tiedWith, forKey: .tiedWith)
        try c.encode(march, forKey: .march)
        try c.encode(marchSameIsa, forKey: .marchSameIsa)
        try c.encode(marchReason, forKey: .marchReason)
        try c.encode(marchMissing, forKey: .marchMissing)
        try c.encode(cpuFlagsX86, forKey: .cpuFlagsX86)
        try c.encode(vendor, forKey: .vendor)
        try c.encode(vendorId, forKey: .vendorId)
        try c.encode(family, forKey: .family)
        try c.encode(model, forKey: .model)
        try c.encode(stepping, forKey: .stepping)
        try c.encode(modelName, forKey: .modelName)
        try c.encode(processors, forKey: .processors)
        try c.encode(virtual, forKey: .virtual)
        try c.encode(features, forKey: .features)
        try c.encode(notes, forKey: .notes)
        try c.encode(classes, forKey: .classes)
    }

    init(_ result: Classification) {
        let cpu = result.cpu
        `class` = result.chosen
        tiedWith = result.tiedWith
        march = result.native?.name
        marchSameIsa = result.native?.march?.sameISA ?? []
        marchReason = result.native?.reason
        marchMissing = result.native?.missing.sorted().map(\.rawValue) ?? []
        cpuFlagsX86 = cpu.cpuFlagsX86
        vendor = cpu.vendor.displayName
        vendorId = cpu.vendorID
        family = cpu.family
        model = cpu.model
        stepping = cpu.stepping
        modelName = cpu.modelName
        processors = cpu.processorCount
        virtual = cpu.isVirtual
        features = cpu.features?.sorted().map(\.rawValue)
        notes = cpu.notes
        classes = result.verdicts.map { verdict in
            ClassJSON(name: verdict.name, march: verdict.march, fits: verdict.fits, missing: verdict.missing.map(\.feature.rawValue),
                      missingReasons: Dictionary(verdict.missing.map { ($0.feature.rawValue, $0.reason) }, uniquingKeysWith: { a, _ in a }),
                      failedRules: verdict.failedRules)
        }
    }
}
