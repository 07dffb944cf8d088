/// The name of a node class (`PIII`, `AthlonXP`): a directory under `profiles/` and a root under `roots/`.
public struct ClassName: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The class's name as written in `profiles/`.
    public let rawValue: String

    /// Accepts names usable as a directory and a PXE label: letters, digits, `-`, `_`, `.`, not starting with `.`.
    public init?(_ rawValue: String) {
        guard !rawValue.isEmpty, rawValue.count <= 64, rawValue.first != ".",
              rawValue.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else { return nil }
        self.rawValue = rawValue
    }

    public var description: String { rawValue }
    public static func < (a: ClassName, b: ClassName) -> Bool { a.rawValue < b.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let name = ClassName(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad class name \(text)"))
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
