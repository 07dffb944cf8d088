/// How one class fares against a CPU.
public struct ClassVerdict: Sendable, Equatable {
    /// The class's name.
    public var name: String
    /// The class's `-march`.
    public var march: String
    /// Features the CPU lacks, each with why the class needs it.
    public var missing: [Missing]
    /// Match rules the CPU fails.
    public var failedRules: [String]
    /// How many features and rules the class demands: among fitting classes the highest wins.
    public var specificity: Int

    /// A feature the CPU lacks and why the class needs it.
    public struct Missing: Sendable, Equatable {
        public var feature: ISAFeature
        public var reason: String
    }

    /// True when the CPU runs the class's code and passes its rules.
    public var fits: Bool { missing.isEmpty && failedRules.isEmpty }

    /// One line for people: `lacks sse, needed by pentium3` or `fits`.
    public var summary: String {
        if fits { return "fits (-march=\(march))" }
        let lacks = missing.map { "lacks \($0.feature), \($0.reason)" }
        return (lacks + failedRules).joined(separator: "; ")
    }
}

/// Which class a CPU belongs to, and why each other class does or does not fit.
public struct Classification: Sendable, Equatable {
    /// The CPU as read.
    public var cpu: CPUDescription
    /// What GCC's `-march=native` would pick for it (nil without flags).
    public var native: NativeMarch?
    /// Every class, in the order given.
    public var verdicts: [ClassVerdict]
    /// The most specific class the CPU runs, or nil when none is safe.
    public var chosen: String?
    /// Other classes that fit exactly as specifically as `chosen` (add a match rule to tell them apart).
    public var tiedWith: [String]

    /// Classifies `cpu` against `classes`: a class fits when the CPU has every feature its code needs and
    /// passes its match rules; the fitting class demanding the most wins. Without flags nothing fits.
    public init(_ cpu: CPUDescription, classes: [ClassRequirements]) {
        self.cpu = cpu
        native = NativeMarch(for: cpu)
        let features = cpu.features ?? []
        verdicts = classes.map { requirements in
            var missing = requirements.missing(in: features).map { ClassVerdict.Missing(feature: $0.feature, reason: $0.reason) }
            if cpu.features == nil {
                missing = [ClassVerdict.Missing(feature: "flags", reason: "the dump has no flags line, so no feature can be checked")]
            }
            return ClassVerdict(name: requirements.name, march: requirements.march, missing: missing,
                                failedRules: requirements.failedRules(cpu),
                                specificity: requirements.needs.count + 100 * (requirements.vendors.count + requirements.modelNames.count > 0 ? 1 : 0))
        }
        let fitting = verdicts.filter(\.fits).sorted { ($0.specificity, $1.name) > ($1.specificity, $0.name) }
        chosen = fitting.first?.name
        tiedWith = fitting.dropFirst().filter { $0.specificity == fitting.first?.specificity }.map(\.name)
    }
}
