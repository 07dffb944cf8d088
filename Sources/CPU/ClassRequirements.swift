/// What a node class's code needs from a CPU, and the rules that narrow which CPUs the class is for.
public struct ClassRequirements: Sendable, Equatable {
    /// The class's name.
    public var name: String
    /// True for 64-bit (`amd64`) classes: the CPU must run long mode.
    public var longMode: Bool
    /// The `-march` of the class's CFLAGS (or the CHOST default).
    public var march: String
    /// Each feature the class's code needs, with why: `needed by pentium3`, `-msse2 in CFLAGS`, ….
    public var needs: [ISAFeature: String]
    /// `vendor` match rules: the CPU's vendor_id must be one of these (empty: any).
    public var vendors: [String]
    /// `model_name` match rules: shell globs, case-insensitive; one must match (empty: any).
    public var modelNames: [String]

    /// Requirements for a class built with `march`, plus extra features with their reasons.
    public init(name: String, longMode: Bool, march: March, extra: [(ISAFeature, String)] = [],
                vendors: [String] = [], modelNames: [String] = []) {
        self.name = name
        self.longMode = longMode
        self.march = march.name
        var needs: [ISAFeature: String] = [:]
        for feature in march.requiredFeatures(longMode: longMode) { needs[feature] = "needed by \(march.name)" }
        if longMode { needs["lm"] = needs["lm"] ?? "needed by 64-bit (amd64) code" }
        for (feature, reason) in extra where needs[feature] == nil { needs[feature] = reason }
        self.needs = needs
        self.vendors = vendors
        self.modelNames = modelNames
    }

    /// Features `cpu` lacks, each with why the class needs it, sorted.
    public func missing(in features: Set<ISAFeature>) -> [(feature: ISAFeature, reason: String)] {
        needs.filter { !features.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The match rules `cpu` fails, one sentence each.
    public func failedRules(_ cpu: CPUDescription) -> [String] {
        var failed: [String] = []
        let vendorID = cpu.vendorID?.trimmingCharacters(in: .whitespaces) ?? ""
        if !vendors.isEmpty, !vendors.contains(where: { $0.caseInsensitiveCompare(vendorID) == .orderedSame }) {
            failed.append("vendor is \(vendorID.isEmpty ? "unknown" : vendorID), not \(vendors.joined(separator: " or "))")
        }
        let modelName = cpu.modelName ?? ""
        if !modelNames.isEmpty, !modelNames.contains(where: { Glob.matches($0, modelName) }) {
            failed.append("model name \"\(modelName)\" matches none of \(modelNames.map { "\"\($0)\"" }.joined(separator: ", "))")
        }
        return failed
    }
}

/// Shell-style globs (`*`, `?`), case-insensitive, for model-name rules.
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.lowercased()), t = Array(text.lowercased())
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] { pi += 1; ti += 1 }
            else if pi < p.count, p[pi] == "*" { star = pi; mark = ti; pi += 1 }
            else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
            else { return false }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
