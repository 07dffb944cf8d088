/// Who made an x86 CPU, from its `vendor_id`.
public enum CPUVendor: String, Sendable, Hashable, CaseIterable {
    case intel = "GenuineIntel"
    case amd = "AuthenticAMD"
    case centaur = "CentaurHauls"     // IDT WinChip, VIA C3/C7/Nano
    case zhaoxin = "  Shanghai  "
    case hygon = "HygonGenuine"
    case cyrix = "CyrixInstead"
    case nsc = "Geode by NSC"
    case transmeta = "GenuineTMx86"
    case other = ""

    /// The vendor a `vendor_id` value names (`TransmetaCPU` and the early K5's `AMDisbetter!` included).
    public init(vendorID: String) {
        let trimmed = vendorID.trimmingCharacters(in: .whitespaces)
        self = Self.allCases.first { $0 != .other && $0.rawValue.trimmingCharacters(in: .whitespaces) == trimmed }
            ?? Self.otherSpellings[trimmed] ?? .other
    }

    /// `vendor_id` values some CPUs print besides their vendor's usual one.
    static let otherSpellings: [String: CPUVendor] = [
        "GenuineIotel": .intel, "AMDisbetter!": .amd, "AMD ISBETTER": .amd, "TransmetaCPU": .transmeta,
    ]

    /// A short name for output (`Intel`, `AMD`, `VIA/Centaur`).
    public var displayName: String {
        switch self {
        case .intel: "Intel"
        case .amd: "AMD"
        case .centaur: "VIA/Centaur"
        case .zhaoxin: "Zhaoxin"
        case .hygon: "Hygon"
        case .cyrix: "Cyrix"
        case .nsc: "NSC"
        case .transmeta: "Transmeta"
        case .other: "unknown vendor"
        }
    }
}
