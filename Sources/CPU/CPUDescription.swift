import Foundation

/// What a `/proc/cpuinfo` says about the CPU as a whole: identity and the features every processor has.
public struct CPUDescription: Sendable, Equatable {
    /// The `vendor_id` as written, e.g. `GenuineIntel`.
    public var vendorID: String?
    /// The vendor it names.
    public var vendor: CPUVendor
    /// `cpu family` (the kernel already adds the extended family), or the digit of 2.0's `cpu : 686`.
    public var family: Int?
    /// `model` (extended model included), nil when the dump has none or a name in its place.
    public var model: Int?
    /// `stepping`.
    public var stepping: Int?
    /// `model name`, whitespace collapsed; old kernels have none.
    public var modelName: String?
    /// The features every processor lists, normalised (`pni` → `sse3`) with implied ones added; nil when no
    /// processor block has a flags line (a truncated dump).
    public var features: Set<ISAFeature>?
    /// How many processor blocks the dump has.
    public var processorCount: Int
    /// True when processors list different flags or names (hybrid CPUs, mixed SMP): features are the common ones.
    public var processorsDiffer: Bool
    /// True when the kernel ran under a hypervisor (`hypervisor` flag).
    public var isVirtual: Bool
    /// What the reader had to work around, one sentence each.
    public var notes: [String]

    /// Summarises `info`; `source` names the dump in notes.
    public init(_ info: CPUInfo) {
        var notes: [String] = []
        // Kernel bugs have printed phantom processors with `vendor_id : unknown`: leave them out when real ones exist.
        let real = info.processors.filter { $0["vendor_id"]?.lowercased() != "unknown" }
        let blocks = real.isEmpty ? info.processors : real
        if blocks.count < info.processors.count {
            notes.append("left out \(info.processors.count - blocks.count) processor block(s) with vendor_id `unknown`")
        }
        let identified = blocks.first { $0["vendor_id"] != nil || $0["cpu family"] != nil } ?? blocks[0]
        vendorID = identified["vendor_id"]
        vendor = CPUVendor(vendorID: vendorID ?? "")
        family = identified["cpu family"].flatMap { Int($0) } ?? identified["cpu"].flatMap(Self.oldFamily)
        model = identified["model"].flatMap { Int($0) }
        stepping = identified["stepping"].flatMap { Int($0) }
        let name = identified["model name"] ?? identified["model"].flatMap { Int($0) == nil ? $0 : nil }
        modelName = name.map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        processorCount = blocks.count
        let flagSets = blocks.compactMap(\.flags).map { Set<ISAFeature>(cpuinfoFlags: $0) }
        features = flagSets.first.map { first in flagSets.dropFirst().reduce(first) { $0.intersection($1) } }
        let names = Set(blocks.compactMap { $0["model name"] })
        processorsDiffer = Set(flagSets).count > 1 || names.count > 1
        isVirtual = blocks.contains { $0.flags?.contains("hypervisor") == true }
        if flagSets.isEmpty {
            notes.append("no processor block has a flags line (the dump is truncated); features are unknown")
        } else if flagSets.count < blocks.count {
            notes.append("\(blocks.count - flagSets.count) of \(blocks.count) processor blocks have no flags line (truncated); used the others")
        }
        if processorsDiffer {
            notes.append("processors differ (hybrid or mixed CPUs); using the features every processor has")
        }
        if !info.ignoredLines.isEmpty {
            let lines = info.ignoredLines.prefix(5).map(String.init).joined(separator: ", ")
            notes.append("ignored \(info.ignoredLines.count) line(s) that are not `key : value` (line \(lines)\(info.ignoredLines.count > 5 ? ", …" : ""))")
        }
        if family == nil { notes.append("no `cpu family` line; the -march suggestion falls back on features") }
        self.notes = notes
    }

    /// Reads and summarises `/proc/cpuinfo` text.
    public init(parsing text: String, source: String) throws(CPUInfoError) {
        self.init(try CPUInfo(parsing: text, source: source))
    }

    /// `cpu : 686` of Linux 2.0 → 6.
    static func oldFamily(_ value: String) -> Int? {
        guard value.count == 3, value.hasSuffix("86"), let digit = value.first?.wholeNumberValue else { return nil }
        return digit
    }

    /// The `CPU_FLAGS_X86` this CPU supports (as cpuid2cpuflags would print on it), or nil without flags.
    public var cpuFlagsX86: [String]? { features?.cpuFlagsX86 }

    /// True when the CPU runs 64-bit code.
    public var isLongMode: Bool { features?.contains("lm") == true }
}
