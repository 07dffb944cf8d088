/// GCC's `-m` instruction-set options and the feature each stands for (`-msse2` → `sse2`, `-m3dnowa` → `3dnowext`).
public enum GCCOptions {
    /// The features `-mNAME` enables, with those GCC turns on along with it (`-msse2` → sse2 sse mmx), or nil
    /// when NAME is not an instruction-set option.
    public static func features(option name: String) -> Set<ISAFeature>? {
        let direct: [ISAFeature]
        if name == "3dnowa" { direct = ["3dnowext", "mmxext", "3dnow"] } else if let feature = byOption[name] { direct = [feature] } else { return nil }
        var result = Set<ISAFeature>(), stack = direct
        while let feature = stack.popLast() {
            if result.insert(feature).inserted { stack += implies[feature] ?? [] }
        }
        return result
    }

    /// The feature `-mNAME` stands for by itself (`-mno-NAME` turns it off), or nil.
    public static func byOption(_ name: String) -> ISAFeature? { name == "3dnowa" ? "3dnowext" : byOption[name] }

    /// The features that depend on `feature` (turned off with it by `-mno-…`).
    public static func dependents(of feature: ISAFeature) -> Set<ISAFeature> {
        Set(byOption.keys.compactMap { option in
            features(option: option).flatMap { $0.contains(feature) ? byOption[option] : nil }
        })
    }

    /// What GCC enables along with an option (gcc/common/config/i386/i386-common.cc, the *_SET masks).
    static let implies: [ISAFeature: [ISAFeature]] = [
        "sse": ["mmx"], "sse2": ["sse"], "sse3": ["sse2"], "ssse3": ["sse3"], "sse4_1": ["ssse3"],
        "sse4_2": ["sse4_1", "popcnt"], "avx": ["sse4_2", "xsave"], "avx2": ["avx"], "fma": ["avx"], "f16c": ["avx"],
        "avx512f": ["avx2", "fma", "f16c"], "avx512cd": ["avx512f"], "avx512dq": ["avx512f"], "avx512bw": ["avx512f"],
        "avx512vl": ["avx512f"], "avx512ifma": ["avx512f"], "avx512vbmi": ["avx512bw"], "avx512_vbmi2": ["avx512bw"],
        "avx512_vnni": ["avx512f"], "avx512_bitalg": ["avx512bw"], "avx512_vpopcntdq": ["avx512f"],
        "avx512_bf16": ["avx512bw"], "avx512_fp16": ["avx512bw"], "avx_vnni": ["avx2"], "3dnow": ["mmx", "3dnowprefetch"],
        "sse4a": ["sse3"], "fma4": ["sse4a", "avx"], "xop": ["fma4"], "aes": ["sse2"], "pclmulqdq": ["sse2"],
        "sha_ni": ["sse2"], "gfni": ["sse2"], "vaes": ["avx2", "aes"], "vpclmulqdq": ["avx", "pclmulqdq"],
        "xsaveopt": ["xsave"], "xsavec": ["xsave"], "xsaves": ["xsave"],
    ]

    static let byOption: [String: ISAFeature] = [
        "mmx": "mmx", "3dnow": "3dnow", "sse": "sse", "sse2": "sse2", "sse3": "sse3", "ssse3": "ssse3",
        "sse4.1": "sse4_1", "sse4.2": "sse4_2", "sse4": "sse4_2", "crc32": "sse4_2", "sse4a": "sse4a", "popcnt": "popcnt",
        "abm": "abm", "lzcnt": "abm", "aes": "aes", "pclmul": "pclmulqdq", "avx": "avx", "avx2": "avx2", "fma": "fma",
        "fma4": "fma4", "xop": "xop", "lwp": "lwp", "tbm": "tbm", "bmi": "bmi1", "bmi2": "bmi2", "f16c": "f16c",
        "movbe": "movbe", "cx16": "cx16", "sahf": "lahf_lm", "rdrnd": "rdrand", "rdseed": "rdseed", "adx": "adx",
        "prfchw": "3dnowprefetch", "fsgsbase": "fsgsbase", "fxsr": "fxsr", "xsave": "xsave", "xsaveopt": "xsaveopt",
        "xsavec": "xsavec", "xsaves": "xsaves", "clflushopt": "clflushopt", "clwb": "clwb", "sha": "sha_ni",
        "gfni": "gfni", "vaes": "vaes", "vpclmulqdq": "vpclmulqdq", "avx512f": "avx512f", "avx512cd": "avx512cd",
        "avx512dq": "avx512dq", "avx512bw": "avx512bw", "avx512vl": "avx512vl", "avx512ifma": "avx512ifma",
        "avx512vbmi": "avx512vbmi", "avx512vbmi2": "avx512_vbmi2", "avx512vnni": "avx512_vnni",
        "avx512bitalg": "avx512_bitalg", "avx512vpopcntdq": "avx512_vpopcntdq", "avx512bf16": "avx512_bf16",
        "avx512fp16": "avx512_fp16", "avxvnni": "avx_vnni",
    ]
}

extension ISAFeature {
    /// The feature `name` means (`/proc/cpuinfo` flag, alias or `CPU_FLAGS_X86` value), or nil if unknown.
    public static func known(_ name: String) -> ISAFeature? {
        if let feature = CPUFlagsX86.byFlag[name] { return feature }
        let feature = normalized(name)
        if KnownFlags.all.contains(feature.rawValue) || March.all.contains(where: { $0.features.contains(feature) }) { return feature }
        return nil
    }
}
