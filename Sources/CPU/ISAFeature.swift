/// One instruction-set feature, named as Linux's `/proc/cpuinfo` names it (after normalisation: `pni` is `sse3`).
public struct ISAFeature: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }
    public var description: String { rawValue }
    public static func < (a: ISAFeature, b: ISAFeature) -> Bool { a.rawValue < b.rawValue }

    /// The feature a `/proc/cpuinfo` flag names, across kernel generations (`pni`, 2.2's `xmm`, `sse4.1`).
    public static func normalized(_ flag: some StringProtocol) -> ISAFeature {
        let name = flag.lowercased()
        return ISAFeature(rawValue: aliases[name] ?? name)
    }

    /// Old or alternative spellings of a flag → the name used here.
    static let aliases: [String: String] = [
        "pni": "sse3",            // Prescott New Instructions
        "xmm": "sse", "kni": "sse", "xmm2": "sse2", "xmm3": "sse3",  // Linux 2.2/2.4 names
        "sse4.1": "sse4_1", "sse4.2": "sse4_2", "sse41": "sse4_1", "sse42": "sse4_2",
        "3dnowa": "3dnowext", "3dnow+": "3dnowext",
        "pclmul": "pclmulqdq", "sha": "sha_ni", "fma3": "fma", "lzcnt": "abm",
        "amd3d": "3dnow",
    ]

    /// Features the kernel does not list but another listed feature implies (as cpuid2cpuflags infers them).
    static let implications: [ISAFeature: [ISAFeature]] = [
        "sse": ["mmxext"],        // SSE includes the integer MMX extensions (Intel lists no mmxext flag)
        "abm": ["popcnt"],        // AMD's ABM carries POPCNT
    ]

    /// Features that only exist in 64-bit mode: a 32-bit class never needs them.
    public static let longModeOnly: Set<ISAFeature> = ["lm", "lahf_lm", "cx16", "uintr"]
}

extension Set where Element == ISAFeature {
    /// Normalises `flags` and adds the features they imply.
    public init(cpuinfoFlags flags: some Sequence<some StringProtocol>) {
        self.init(flags.map { ISAFeature.normalized($0) })
        for (feature, implied) in ISAFeature.implications where contains(feature) { formUnion(implied) }
    }

    /// The Gentoo `CPU_FLAGS_X86` values these features provide, sorted as Gentoo lists them.
    public var cpuFlagsX86: [String] {
        var flags = Set<String>()
        for feature in self {
            if let flag = CPUFlagsX86.byFeature[feature] { flags.insert(flag) }
        }
        return flags.sorted()
    }

    /// Names, sorted, for messages.
    public var names: String { sorted().map(\.rawValue).joined(separator: " ") }
}

/// Gentoo's `CPU_FLAGS_X86` (profiles/desc/cpu_flags_x86.desc) and the feature each one stands for.
public enum CPUFlagsX86 {
    /// Every `CPU_FLAGS_X86` value with its feature.
    public static let byFlag: [String: ISAFeature] = [
        "3dnow": "3dnow", "3dnowext": "3dnowext", "aes": "aes", "avx": "avx", "avx2": "avx2",
        "avx512_4fmaps": "avx512_4fmaps", "avx512_4vnniw": "avx512_4vnniw", "avx512_bf16": "avx512_bf16",
        "avx512_bitalg": "avx512_bitalg", "avx512_fp16": "avx512_fp16", "avx512_vbmi2": "avx512_vbmi2",
        "avx512_vnni": "avx512_vnni", "avx512_vp2intersect": "avx512_vp2intersect",
        "avx512_vpopcntdq": "avx512_vpopcntdq", "avx512bw": "avx512bw", "avx512cd": "avx512cd",
        "avx512dq": "avx512dq", "avx512er": "avx512er", "avx512f": "avx512f", "avx512ifma": "avx512ifma",
        "avx512pf": "avx512pf", "avx512vbmi": "avx512vbmi", "avx512vl": "avx512vl", "avx_vnni": "avx_vnni",
        "bmi1": "bmi1", "bmi2": "bmi2", "f16c": "f16c", "fma3": "fma", "fma4": "fma4", "mmx": "mmx",
        "mmxext": "mmxext", "padlock": "phe", "pclmul": "pclmulqdq", "popcnt": "popcnt", "rdrand": "rdrand",
        "sha": "sha_ni", "sse": "sse", "sse2": "sse2", "sse3": "sse3", "sse4_1": "sse4_1", "sse4_2": "sse4_2",
        "sse4a": "sse4a", "ssse3": "ssse3", "vpclmulqdq": "vpclmulqdq", "xop": "xop",
    ]

    /// The `CPU_FLAGS_X86` value for each feature that has one.
    public static let byFeature: [ISAFeature: String] = Dictionary(uniqueKeysWithValues: byFlag.map { ($1, $0) })
}
