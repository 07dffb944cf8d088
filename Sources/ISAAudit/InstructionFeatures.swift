import CPU

/// Which CPU feature an x86 instruction needs, named as `/proc/cpuinfo` names it (the CPU module's `ISAFeature`).
///
/// Capstone's instruction groups give most of it; its version 4 (Debian 12) mislabels a few instructions, and gives
/// none to some, so a table by mnemonic comes first. Each override below was checked against GCC/gas output.
enum InstructionFeatures {
    /// Capstone group name → feature.
    static let byGroup: [String: ISAFeature] = [
        "mmx": "mmx", "3dnow": "3dnow", "cmov": "cmov",
        "sse1": "sse", "sse2": "sse2", "sse3": "sse3", "ssse3": "ssse3", "sse41": "sse4_1", "sse42": "sse4_2", "sse4a": "sse4a",
        "avx": "avx", "avx2": "avx2", "avx512": "avx512f", "fma": "fma", "fma4": "fma4", "f16c": "f16c", "xop": "xop",
        "bmi": "bmi1", "bmi2": "bmi2", "adx": "adx", "aes": "aes", "pclmul": "pclmulqdq", "sha": "sha_ni", "tbm": "tbm",
    ]

    /// Mnemonic → feature, where capstone's group is wrong or missing; `nil` marks instructions every x86 CPU runs.
    static let byMnemonic: [String: ISAFeature?] = [
        // The MMX extensions (SSE's integer part on Intel, "MMX+" on AMD K7): capstone says plain MMX.
        "pshufw": "mmxext", "pmaxsw": "mmxext", "pminsw": "mmxext", "pmaxub": "mmxext", "pminub": "mmxext",
        "pavgb": "mmxext", "pavgw": "mmxext", "pmulhuw": "mmxext", "psadbw": "mmxext", "pextrw": "mmxext",
        "pinsrw": "mmxext", "pmovmskb": "mmxext", "maskmovq": "mmxext", "movntq": "mmxext",
        // 3DNow! extensions (K7): capstone says 3DNow!.
        "pswapd": "3dnowext", "pf2iw": "3dnowext", "pi2fw": "3dnowext", "pfnacc": "3dnowext", "pfpnacc": "3dnowext",
        "prefetch": "3dnow", "prefetchw": "3dnow",
        // SSE3's x87 store; capstone says FPU.
        "fisttp": "sse3",
        // P6 x87 compares (the CPUID cmov bit covers them).
        "fcomi": "cmov", "fcomip": "cmov", "fucomi": "cmov", "fucomip": "cmov",
        // Without a capstone group.
        "popcnt": "popcnt", "lzcnt": "abm", "movbe": "movbe", "rdrand": "rdrand", "rdseed": "rdseed",
        "xsave": "xsave", "xrstor": "xsave", "cmpxchg16b": "cx16",
        // Hint encodings older CPUs execute as NOPs.
        "pause": nil, "endbr32": nil, "endbr64": nil,
        // Only legal once CPUID reports OSXSAVE, so every libc and libgcc runs it behind that check: it is the guard.
        "xgetbv": nil,
        // `rep bsf`: a CPU without BMI1 runs it as `bsf`, the same for a nonzero input; GCC emits it for __builtin_ctz
        // under -mtune=generic, and Debian's i386 glibc holds it. (lzcnt, `rep bsr`, differs from bsr and stays ABM.)
        "tzcnt": nil,
    ]

    /// SSE2 instructions on MMX registers that capstone files under MMX.
    static let sse2OnMMX: Set<String> = ["paddq", "psubq", "pmuludq", "movdq2q", "movq2dq"]

    /// The feature `mnemonic` (with capstone's group names) needs beyond the 80386/80486 base, or nil.
    static func feature(mnemonic: String, groups: [String]) -> ISAFeature? {
        if let override = byMnemonic[mnemonic] { return override }
        if sse2OnMMX.contains(mnemonic) { return "sse2" }
        // The most specific group wins: a VEX-encoded AVX2 instruction is also listed as AVX.
        var best: ISAFeature?
        for group in groups {
            guard let feature = byGroup[group] else { continue }
            if best == nil || rank(feature) > rank(best!) { best = feature }
        }
        return best
    }

    private static func rank(_ feature: ISAFeature) -> Int {
        ["cmov", "mmx", "mmxext", "3dnow", "3dnowext", "sse", "sse2", "sse3", "ssse3", "sse4a", "sse4_1", "sse4_2",
         "aes", "pclmulqdq", "avx", "f16c", "fma", "fma4", "xop", "avx2", "bmi1", "bmi2", "adx", "sha_ni", "avx512f"]
            .firstIndex(of: feature.rawValue) ?? 0
    }
}
