import CPU
import FarmModel

/// The `[cpu]` table of `class.toml`: extra features, match rules, and how strict build placement is.
public struct ClassCPU: Sendable, Equatable {
    /// Features the class needs beyond its `-march` (`requires = ["sse2"]`).
    public var requires: [Located<String>] = []
    /// Vendor rules: the CPU's `vendor_id` must be one of these.
    public var vendors: [String] = []
    /// Model-name rules: shell globs, case-insensitive.
    public var modelNames: [String] = []
    /// When true, the class builds only on workers whose own CPU runs its code.
    public var strictBuildHosts = false

    static let keys = ["requires", "vendor", "model_name", "strict_build_hosts"]

    init() {}

    init(_ table: TOMLTable) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[cpu] in class.toml")
        try reader.rejectUnknownKeys(allowed: Self.keys)
        requires = try reader.strings("requires")?.value ?? []
        for feature in requires where ISAFeature.known(feature.value) == nil {
            throw ConfigError(.invalidValue, at: feature.location, "`\(feature.value)` in requires is not a CPU feature farmctl knows",
                              fix: "use /proc/cpuinfo flag names or CPU_FLAGS_X86 values, e.g. \"sse2\", \"3dnow\", \"ssse3\"")
        }
        vendors = try reader.strings("vendor")?.value.map(\.value) ?? []
        modelNames = try reader.strings("model_name")?.value.map(\.value) ?? []
        strictBuildHosts = try reader.boolean("strict_build_hosts")?.value ?? false
    }
}

extension ClassProfile {
    /// What the class's code needs from a CPU: its `-march` (CFLAGS, else the CHOST's default), `-m` options
    /// in CFLAGS, `CPU_FLAGS_X86` and `[cpu] requires`, each with why; plus its match rules.
    static func requirements(name: ClassName, arch: Arch, makeConf: MakeConf, cpu: ClassCPU) throws(ConfigError) -> ClassRequirements {
        let flagsLocation = makeConf.location(of: "CFLAGS") ?? SourceLocation(path: makeConf.path)
        let words = (makeConf.value("CFLAGS") ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        var marchName = defaultMarch(chost: makeConf.value("CHOST"), arch: arch)
        var added: [(ISAFeature, String)] = [], removed: Set<ISAFeature> = []
        for word in words where word.hasPrefix("-m") {
            let option = String(word.dropFirst(2))
            if option.hasPrefix("arch=") {
                marchName = String(option.dropFirst(5))
            } else if option.hasPrefix("no-"), let direct = GCCOptions.byOption(String(option.dropFirst(3))) {
                removed.insert(direct)
                removed.formUnion(GCCOptions.dependents(of: direct))
            } else if let features = GCCOptions.features(option: option) {
                added += features.map { ($0, "\(word) in CFLAGS") }
            }
        }
        guard marchName != "native" else {
            throw ConfigError(.invalidValue, at: flagsLocation, "CFLAGS has -march=native, which builds for whichever build host runs the build",
                              fix: "name the class's CPU instead, e.g. -march=pentium3 (`farmctl classify` on a node's /proc/cpuinfo suggests one)")
        }
        guard var march = March.named(marchName) else {
            let hint = didYouMean(marchName, among: March.all.map(\.name)).map { "did you mean `\($0)`? " } ?? ""
            throw ConfigError(.invalidValue, at: flagsLocation, "-march=\(marchName) is not a GCC -march name farmctl knows",
                              fix: "\(hint)use a GCC x86 -march name such as pentium3, athlon-xp, pentium4, k8 or x86-64-v2")
        }
        march = March(name: march.name, features: march.features.subtracting(removed))
        let cpuFlagsLocation = makeConf.location(of: "CPU_FLAGS_X86") ?? SourceLocation(path: makeConf.path)
        for flag in (makeConf.value("CPU_FLAGS_X86") ?? "").split(whereSeparator: \.isWhitespace).map(String.init) {
            guard let feature = CPUFlagsX86.byFlag[flag] else {
                throw ConfigError(.invalidValue, at: cpuFlagsLocation, "`\(flag)` is not a CPU_FLAGS_X86 value",
                                  fix: "use Gentoo's names (profiles/desc/cpu_flags_x86.desc), e.g. mmx mmxext sse sse2 3dnow")
            }
            added.append((feature, "declared in CPU_FLAGS_X86"))
        }
        added += cpu.requires.compactMap { ISAFeature.known($0.value) }.map { ($0, "required by [cpu] in class.toml") }
        return ClassRequirements(name: name.rawValue, longMode: arch == .amd64, march: march, extra: added,
                                 vendors: cpu.vendors, modelNames: cpu.modelNames)
    }

    /// GCC's default -march for a CHOST (i486-, i586-, i686-pc-linux-gnu, x86_64-…).
    static func defaultMarch(chost: String?, arch: Arch) -> String {
        let prefix = chost?.split(separator: "-").first.map(String.init) ?? ""
        return ["i386", "i486", "i586", "i686"].contains(prefix) ? prefix : (arch == .amd64 ? "x86-64" : "i686")
    }
}
