/// An IPv4 address in dotted-quad form, as the kernel's `nfsroot=` and exports(5) take it.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address as a 32-bit number, most significant octet first.
    public let value: UInt32

    /// Parses `a.b.c.d`: four decimal octets 0–255, without leading zeros (`inet_aton` would read `010` as octal).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  part == "0" || part.first != "0", let octet = UInt32(part), octet <= 255 else { return nil }
            value = value << 8 | octet
        }
        self.value = value
    }

    /// The address with the 32-bit value `value`.
    public init(value: UInt32) { self.value = value }

    public var description: String {
        [24, 16, 8, 0].map { String(value >> UInt32($0) & 0xff) }.joined(separator: ".")
    }
}

/// An IPv4 network in CIDR form, `a.b.c.d/n`, as exports(5) takes a client network.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    /// The address as written (its host bits may be set; see ``hasHostBits``).
    public let address: IPv4Address
    /// The prefix length, 0–32.
    public let prefixLength: Int

    /// Parses `a.b.c.d/n` with `n` from 0 to 32.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(String(parts[0])),
              (1...2).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
              let length = Int(parts[1]), (0...32).contains(length) else { return nil }
        self.address = address
        prefixLength = length
    }

    /// The netmask as a 32-bit number.
    public var mask: UInt32 { prefixLength == 0 ? 0 : UInt32.max << UInt32(32 - prefixLength) }
    /// True when the address has bits set below the prefix (`10.0.0.5/24` instead of `10.0.0.0/24`).
    public var hasHostBits: Bool { address.value & ~mask != 0 }
    /// The network's base address with the same prefix length (`10.0.0.0/24` for `10.0.0.5/24`).
    public var base: IPv4Network { IPv4Network(address: IPv4Address(value: address.value & mask), prefixLength: prefixLength) }

    /// True when `other` lies inside this network.
    public func contains(_ other: IPv4Address) -> Bool { other.value & mask == address.value & mask }

    public var description: String { "\(address)/\(prefixLength)" }

    private init(address: IPv4Address, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }
}
