/// A GCC `-march` name and the instruction-set features code built with it may use.
public struct March: Sendable, Hashable, CustomStringConvertible {
    /// The name as GCC spells it (`pentium3`, `athlon-xp`, `znver3`).
    public let name: String
    /// Every feature GCC enables for it, as `/proc/cpuinfo` names them (64-bit capable names include `lm`).
    public let features: Set<ISAFeature>

    public var description: String { name }

    /// A name with its features (the table's entries, or one narrowed by `-mno-…`).
    public init(name: String, features: Set<ISAFeature>) {
        self.name = name
        self.features = features
    }

    /// Features GCC enables but only emits through intrinsics (`_xsave`, `_rdrand32_step`, `_xbegin`, …), never
    /// from plain code, and which CPUs often hide (TSX switched off by microcode, MONITOR, XSAVES and SGX hidden
    /// by hypervisors, FXSR absent on Pentium II Klamath): a CPU without them still runs code built for the name.
    public static let unchecked: Set<ISAFeature> = [
        "monitor", "hle", "rtm", "sgx", "pconfig", "ptwrite", "enqcmd", "kl", "widekl", "hreset", "prefetchwt1",
        "fxsr", "xsave", "xsaveopt", "xsavec", "xsaves", "fsgsbase", "rdrand", "rdseed", "clflushopt", "clwb", "pku",
        "mwaitx", "clzero", "rdpid", "wbnoinvd", "movdiri", "movdir64b", "waitpkg", "cldemote", "serialize",
        "tsxldtrk", "uintr", "lwp", "amx_tile", "amx_int8", "amx_bf16", "amx_fp16", "amx_complex", "prefetchi",
        "raoint", "cmpccxadd",
    ]

    /// True when the name targets 64-bit CPUs (`k8`, `nocona`, `x86-64` and later).
    public var isLongMode: Bool { features.contains("lm") }

    /// What a CPU must have to run code built with this name, in 32-bit (`x86`) or 64-bit (`amd64`) mode.
    public func requiredFeatures(longMode: Bool) -> Set<ISAFeature> {
        let checked = features.subtracting(Self.unchecked)
        return longMode ? checked : checked.subtracting(ISAFeature.longModeOnly)
    }

    /// Other names GCC gives the same instruction set (`athlon-4`, `athlon-xp`, `athlon-mp`).
    public var sameISA: [String] {
        Self.all.filter { $0.features == features && $0.name != name }.map(\.name)
    }

    /// True when both names let GCC use exactly the same instructions.
    public func isSameISA(as other: March) -> Bool { features == other.features }

    /// The name GCC knows as `name`, or nil.
    public static func named(_ name: String) -> March? { byName[name.lowercased()] }

    /// Every name in the table, in the table's order (oldest first within each vendor line).
    public static let all: [March] = MarchData.rows.map {
        March(name: $0.name, features: Set($0.features.split(separator: " ").map { ISAFeature(rawValue: String($0)) }))
    }

    private static let byName: [String: March] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
}
