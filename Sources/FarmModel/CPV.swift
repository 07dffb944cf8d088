import Foundation
/// A Portage category/package-version, e.g. `dev-libs/libfoo-1.2-r1`.
public struct CPV: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The category, e.g. `dev-libs`.
    public let category: String
    /// The package name, e.g. `libfoo`.
    public let package: String
    /// The version with any revision, e.g. `1.2-r1`.
    public let version: String

    /// Parses `cat/pkg-ver[-rN]`; nil when the text is not a CPV.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return nil }
        let pf = String(parts[1])
        // The version starts at the last "-" followed by a digit that leaves a valid version tail.
        var splitAt: String.Index?
        var index = pf.endIndex
        while let dash = pf[pf.startIndex..<index].lastIndex(of: "-") {
            let tail = pf[pf.index(after: dash)...]
            if tail.first?.isNumber == true, CPV.isVersion(String(tail)) { splitAt = dash; break }
            index = dash
        }
        guard let dash = splitAt, dash > pf.startIndex else { return nil }
        category = String(parts[0])
        package = String(pf[..<dash])
        version = String(pf[pf.index(after: dash)...])
    }

    /// Builds a CPV from its parts without validation.
    public init(category: String, package: String, version: String) {
        self.category = category
        self.package = package
        self.version = version
    }

    /// `cat/pkg`.
    public var cp: String { "\(category)/\(package)" }
    /// `pkg-ver`.
    public var pf: String { "\(package)-\(version)" }
    public var description: String { "\(category)/\(pf)" }

    public static func < (a: CPV, b: CPV) -> Bool { a.description < b.description }

    /// True for PMS versions: `1.2.3[a-z][_suffixN...][-rN]`.
    static func isVersion(_ text: String) -> Bool {
        var rest = Substring(text)
        if let r = rest.range(of: "-r", options: .backwards) {
            let rev = rest[r.upperBound...]
            guard !rev.isEmpty, rev.allSatisfy(\.isNumber) else { return false }
            rest = rest[..<r.lowerBound]
        }
        var components = rest.split(separator: "_", omittingEmptySubsequences: false)
        guard let numeric = components.first else { return false }
        components.removeFirst()
        var head = numeric
        if let last = head.last, last.isLetter, last.isLowercase { head = head.dropLast() }
        let numbers = head.split(separator: ".", omittingEmptySubsequences: false)
        guard !numbers.isEmpty, numbers.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return false }
        let suffixes = ["alpha", "beta", "pre", "rc", "p"]
        return components.allSatisfy { part in
            guard let name = suffixes.first(where: { part.hasPrefix($0) }) else { return false }
            return part.dropFirst(name.count).allSatisfy(\.isNumber)
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let cpv = CPV(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad cpv \(text)"))
        }
        self = cpv
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
