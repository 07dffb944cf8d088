/// The `-march` GCC's `-march=native` picks for a CPU, reproduced from `/proc/cpuinfo`.
///
/// A port of `host_detect_local_cpu` (gcc/config/i386/driver-i386.cc) and `get_intel_cpu`
/// (gcc/common/config/i386/cpuinfo.h): vendor, family and model first, features as the check; model
/// numbers as GCC 13 knows them. CPUs of other vendors (Transmeta, Cyrix, NSC) go by family as Intel's do,
/// as GCC 12 does; GCC 12.2 stops with an internal compiler error on VIA, Cyrix and NSC CPUs, so for those
/// this follows the rules GCC's driver spells out for them (c3, c7, nehemiah, winchip).
/// `NativeMarchOracleTests` runs the real GCC 12 driver under qemu with each dump's CPUID and compares.
public struct NativeMarch: Sendable, Equatable {
    /// GCC's name for the CPU.
    public var name: String
    /// Why: which rule of GCC's picked the name.
    public var reason: String
    /// Features the name's instruction set has that the CPU lacks (GCC then adds `-mno-…` for each).
    public var missing: Set<ISAFeature>

    /// The table entry for `name`, when the table has one.
    public var march: March? { March.named(name) }

    /// Intel family-6 models GCC 12 has no entry for and later GCCs do (GCC 13: Raptor Lake-P; GCC 14: Arrow
    /// Lake, Lunar Lake; GCC 15: Panther Lake).
    public static let modelsNewerThanGCC12: Set<Int> = [0xba, 0xc5, 0xb5, 0xc6, 0xbd, 0xcc]

    /// GCC's choice for `cpu`, or nil when the dump has no flags (GCC decides on features too).
    public init?(for cpu: CPUDescription) {
        guard let features = cpu.features else { return nil }
        let (name, reason) = Self.pick(vendor: cpu.vendor, family: cpu.family ?? 0, model: cpu.model ?? 0,
                                       modelName: cpu.modelName ?? "", has: { features.contains(ISAFeature(rawValue: $0)) })
        self.name = name
        self.reason = reason
        missing = (March.named(name)?.requiredFeatures(longMode: features.contains("lm")) ?? []).subtracting(features)
    }

    static func pick(vendor: CPUVendor, family: Int, model: Int, modelName: String,
                     has: (String) -> Bool) -> (String, String) {
        switch vendor {
        case .amd:
            return amd(family: family, modelName: modelName, has: has)
        case .centaur where family < 7:
            return centaur(family: family, model: model, has: has)
        case .zhaoxin, .centaur:
            return family == 7 && model == 0x3b ? ("lujiazui", "Zhaoxin family 7 model 0x3b") : (generic(has: has), "Zhaoxin CPU unknown to GCC: chosen by features")
        default:
            let maker = vendor == .intel ? "Intel" : "\(vendor.displayName) (Intel-compatible)"
            switch family {
            case 4: return ("i486", "\(maker) family 4")
            case 5: return has("mmx") ? ("pentium-mmx", "\(maker) family 5 with MMX") : ("pentium", "\(maker) family 5")
            case 6:
                if let name = IntelModels.name(model: model, has: has) { return (name, "\(maker) family 6 model \(model) (GCC's model table)") }
                return (family6Fallback(centaur: false, model: model, has: has), "\(maker) family 6 model \(model), not in GCC's model table: chosen by features")
            case 15:
                if has("sse3") { return has("lm") ? ("nocona", "\(maker) family 15 with SSE3 and 64-bit") : ("prescott", "\(maker) family 15 with SSE3") }
                return ("pentium4", "\(maker) family 15")
            default: return (generic(has: has), "\(maker) family \(family), unknown to GCC: chosen by features")
            }
        }
    }

    /// IDT WinChip and VIA C3, C7, Nano (GCC's Centaur branch).
    static func centaur(family: Int, model: Int, has: (String) -> Bool) -> (String, String) {
        switch family {
        case 5 where has("3dnow"): return ("winchip2", "Centaur family 5 with 3DNow!")
        case 5 where has("mmx"): return ("winchip-c6", "Centaur family 5 with MMX")
        case 6 where has("lm"):
            let name = has("sse4_1") ? "nano-3000" : has("ssse3") ? "nano" : has("sse3") ? "eden-x2" : "k8"
            return (name, "VIA family 6, 64-bit")
        case 6 where model >= 9:
            if let name = IntelModels.name(model: model, has: has) { return (name, "VIA family 6 model \(model) (GCC's Intel model table)") }
            return (family6Fallback(centaur: true, model: model, has: has), "VIA family 6 model \(model): chosen by features")
        case 6 where model >= 6: return ("c3", "VIA family 6 model \(model) (C3)")
        default: return (generic(has: has), "Centaur family \(family), unknown to GCC: chosen by features")
        }
    }

    static func amd(family: Int, modelName: String, has: (String) -> Bool) -> (String, String) {
        if modelName.hasPrefix("Geod") { return ("geode", "AMD Geode (brand string)") }
        let byFeature: [(Bool, String, String)] = [
            (has("movbe") && family == 22, "btver2", "family 22 with MOVBE"),
            (has("avx512f"), "znver4", "AVX-512"), (has("vaes"), "znver3", "VAES"), (has("clwb"), "znver2", "CLWB"),
            (has("clzero"), "znver1", "CLZERO"), (has("avx2"), "bdver4", "AVX2"), (has("xsaveopt"), "bdver3", "XSAVEOPT"),
            (has("bmi1"), "bdver2", "BMI"), (has("xop"), "bdver1", "XOP"),
            (has("sse4a") && has("ssse3"), "btver1", "SSE4a and SSSE3"), (has("sse4a"), "amdfam10", "SSE4a"),
        ]
        if let (_, name, why) = byFeature.first(where: \.0) { return (name, "AMD with \(why)") }
        if has("sse2") || has("lm") {
            return has("sse3") ? ("k8-sse3", "AMD with SSE2 or 64-bit, and SSE3") : ("k8", "AMD with SSE2 or 64-bit")
        }
        if has("3dnowext") && family == 6 { return has("sse") ? ("athlon-4", "AMD family 6 with 3DNow!+ and SSE") : ("athlon", "AMD family 6 with 3DNow!+") }
        if has("mmx") { return has("3dnow") ? ("k6-3", "AMD with MMX and 3DNow!") : ("k6", "AMD with MMX") }
        return ("pentium", "AMD without MMX")
    }

    /// GCC's guess for an Intel family-6 model it has no entry for.
    static func family6Fallback(centaur: Bool, model: Int, has: (String) -> Bool) -> String {
        if has("avx") {
            let chain: [(String, String)] = [
                ("amx_complex", "graniterapids-d"), ("amx_fp16", "graniterapids"), ("avx_vnni_int8", "sierraforest"),
                ("avx512_vp2intersect", "tigerlake"), ("tsxldtrk", "sapphirerapids"), ("avx512_bf16", "cooperlake"),
                ("wbnoinvd", "icelake-server"), ("avx512_bitalg", "icelake-client"), ("avx512vbmi", "cannonlake"),
                ("avx512_4vnniw", "knm"), ("avx512er", "knl"), ("avx512f", "skylake-avx512"), ("serialize", "alderlake"),
                ("clflushopt", "skylake"), ("adx", "broadwell"), ("avx2", "haswell"),
            ]
            return chain.first { has($0.0) }?.1 ?? "sandybridge"
        }
        if has("sse4_2") {
            return has("gfni") ? "tremont" : has("sgx") ? "goldmont-plus" : has("xsave") ? "goldmont" : has("movbe") ? "silvermont" : "nehalem"
        }
        if has("ssse3") { return has("movbe") ? "bonnell" : "core2" }
        if has("lm") { return "x86-64" }
        if has("sse3") { return centaur ? "c7" : "pentium-m" }
        if has("sse2") { return "pentium-m" }
        if has("sse") { return centaur ? (model >= 9 ? "nehemiah" : "c3-2") : "pentium3" }
        return has("mmx") ? "pentium2" : "pentiumpro"
    }

    /// GCC's "something reasonable" for CPUs it has no family for.
    static func generic(has: (String) -> Bool) -> String {
        if has("ssse3") { return "core2" }
        if has("sse3") { return has("lm") ? "nocona" : "prescott" }
        if has("lm") { return "x86-64" }
        if has("sse2") { return "pentium4" }
        if has("cmov") { return "pentiumpro" }
        if has("mmx") { return "pentium-mmx" }
        if has("cx8") { return "pentium" }
        return "i386"
    }
}

/// GCC's table of Intel family-6 models (`get_intel_cpu`).
enum IntelModels {
    static func name(model: Int, has: (String) -> Bool) -> String? {
        if model == 0x55 { return has("avx512_bf16") ? "cooperlake" : has("avx512_vnni") ? "cascadelake" : "skylake-avx512" }
        return table[model]
    }

    static let table: [Int: String] = {
        let groups: [(String, [Int])] = [
            ("bonnell", [0x1c, 0x26]), ("silvermont", [0x37, 0x4a, 0x4d, 0x5d, 0x4c, 0x5a, 0x75]),
            ("goldmont", [0x5c, 0x5f]), ("goldmont-plus", [0x7a]), ("tremont", [0x86, 0x96, 0x9c]),
            ("knl", [0x57]), ("knm", [0x85]), ("nehalem", [0x1a, 0x1e, 0x1f, 0x2e]), ("westmere", [0x25, 0x2c, 0x2f]),
            ("sandybridge", [0x2a, 0x2d]), ("ivybridge", [0x3a, 0x3e]), ("haswell", [0x3c, 0x3f, 0x45, 0x46]),
            ("broadwell", [0x3d, 0x47, 0x4f, 0x56]), ("skylake", [0x4e, 0x5e, 0x8e, 0x9e, 0xa5, 0xa6]),
            ("rocketlake", [0xa7, 0xa8]), ("cannonlake", [0x66]), ("icelake-server", [0x6a, 0x6c]),
            ("icelake-client", [0x7e, 0x7d, 0x9d]), ("tigerlake", [0x8c, 0x8d]),
            ("alderlake", [0x97, 0x9a, 0xbf, 0xb7, 0xba, 0xaa, 0xac]),
            ("arrowlake", [0xc5, 0xb5]), ("arrowlake-s", [0xc6]), ("lunarlake", [0xbd]), ("pantherlake", [0xcc]), ("sapphirerapids", [0x8f, 0xcf]),
            ("sierraforest", [0xaf]), ("graniterapids", [0xad]), ("graniterapids-d", [0xae]), ("grandridge", [0xb6]),
            ("core2", [0x0f, 0x17, 0x1d]),
        ]
        return Dictionary(uniqueKeysWithValues: groups.flatMap { name, models in models.map { ($0, name) } })
    }()
}
