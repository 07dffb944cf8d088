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
        switch trimmed {
        case "GenuineIntel", "GenuineIotel": self = .intel
        case "AuthenticAMD", "AMDisbetter!", "AMD ISBETTER": self = .amd
        case "CentaurHauls": self = .centaur
        case "Shanghai": self = .zhaoxin
        case "HygonGenuine": self = .hygon
        case "CyrixInstead": self = .cyrix
        case "Geode by NSC": self = .nsc
        case "GenuineTMx86", "TransmetaCPU": self = .transmeta
        default: self = .other
        }
    }

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
