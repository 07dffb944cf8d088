/// A Portage architecture keyword farmctl builds for.
public enum Arch: String, CaseIterable, Hashable, Sendable, Codable, CustomStringConvertible {
    case amd64
    /// 32-bit x86, built under `linux32` on an amd64 host.
    case x86

    public var description: String { rawValue }
}
