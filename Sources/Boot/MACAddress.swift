/// An Ethernet MAC address, as a node is registered and as pxelinux names its per-node config file.
public struct MACAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The six octets.
    public let octets: [UInt8]

    /// Reads `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF`, `aabb.ccdd.eeff` or `aabbccddeeff` (any case).
    public init?(_ text: String) {
        let hex = text.filter { !":-.".contains($0) }
        guard hex.count == 12, hex.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        var octets: [UInt8] = []
        var rest = Substring(hex)
        while !rest.isEmpty {
            guard let octet = UInt8(rest.prefix(2), radix: 16) else { return nil }
            octets.append(octet)
            rest = rest.dropFirst(2)
        }
        self.octets = octets
    }

    /// Reads a pxelinux per-node config name, `01-aa-bb-cc-dd-ee-ff` (ARP type 1, lowercase); nil for any other name.
    public init?(pxelinuxConfigName name: String) {
        guard name.count == 20, name.hasPrefix("01-"), name == name.lowercased(),
              name.dropFirst(3).split(separator: "-", omittingEmptySubsequences: false).map(\.count) == [2, 2, 2, 2, 2, 2],
              let mac = MACAddress(String(name.dropFirst(3))) else { return nil }
        self = mac
    }

    /// `aa:bb:cc:dd:ee:ff`, the form farmctl stores.
    public var description: String { hexOctets.joined(separator: ":") }

    /// The file pxelinux asks for first: `01-` (the ARP hardware type of Ethernet), then the octets in lowercase
    /// hexadecimal separated by dashes, e.g. `01-88-99-aa-bb-cc-dd`.
    public var pxelinuxConfigName: String { "01-" + hexOctets.joined(separator: "-") }

    public static func < (a: MACAddress, b: MACAddress) -> Bool { a.octets.lexicographicallyPrecedes(b.octets) }

    private var hexOctets: [String] {
        octets.map { octet in
            let digits = String(octet, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
    }
}
