import FarmModel

/// The `[audit]` table of `class.toml`: how the ISA audit of the class's roots is enforced.
public struct ClassAudit: Sendable, Equatable {
    /// When true, a root holding an instruction the class's CPU lacks is not published (`strict_isa = true`).
    public var strictISA = false
    /// Paths inside the root (shell globs, `/usr/lib/libfoo.so.*`) whose findings do not fail the audit.
    public var allow: [Located<String>] = []

    static let keys = ["strict_isa", "allow"]

    /// No table: report violations, publish anyway, allow nothing.
    public init() {}

    init(_ table: TOMLTable) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[audit] in class.toml")
        try reader.rejectUnknownKeys(allowed: Self.keys)
        strictISA = try reader.boolean("strict_isa")?.value ?? false
        allow = try reader.strings("allow")?.value ?? []
        for pattern in allow where !pattern.value.hasPrefix("/") {
            throw reader.invalid("allow", at: pattern.location, "holds `\(pattern.value)`, not a path inside the root",
                                 fix: "write absolute paths as the node sees them, e.g. \"/usr/lib/libfoo.so.*\"")
        }
    }
}
