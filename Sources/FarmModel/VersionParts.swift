import Foundation  // CPV.swift uses Foundation's `range(of:options:)`; this import makes it visible module-wide.

extension CPV {
    /// Compares two PMS versions (PMS algorithms 3.1–3.7): -1, 0 or 1.
    ///
    /// Versions that are not valid PMS versions are compared as plain strings.
    public static func compareVersions(_ a: String, _ b: String) -> Int {
        guard let x = VersionParts(a), let y = VersionParts(b) else { return a < b ? -1 : (a == b ? 0 : 1) }
        return x.compare(to: y)
    }
}

/// A version split into the parts PMS compares.
struct VersionParts {
    static let suffixOrder = ["alpha", "beta", "pre", "rc", "p"]

    var numbers: [Substring]
    var letter: Character?
    var suffixes: [(rank: Int, number: Substring)]
    var revision: Substring

    init?(_ text: String) {
        guard CPV.isVersion(text) else { return nil }
        var rest = Substring(text)
        revision = "0"
        if let r = rest.range(of: "-r", options: .backwards) {
            revision = rest[r.upperBound...]
            rest = rest[..<r.lowerBound]
        }
        var components = rest.split(separator: "_", omittingEmptySubsequences: false)
        var head = components.removeFirst()
        letter = nil
        if let last = head.last, last.isLetter { letter = last; head = head.dropLast() }
        numbers = head.split(separator: ".")
        suffixes = components.map { part in
            // `p` is a prefix of `pre`: the longest matching name wins (isVersion checked that one matches).
            let rank = Self.suffixOrder.indices.filter { part.hasPrefix(Self.suffixOrder[$0]) }
                .max(by: { Self.suffixOrder[$0].count < Self.suffixOrder[$1].count }) ?? 0
            return (rank, part.dropFirst(Self.suffixOrder[rank].count))
        }
    }

    /// `1.2-r3` → `1.2`.
    static func dropRevision(_ version: String) -> String {
        guard let r = version.range(of: "-r", options: .backwards) else { return version }
        return String(version[..<r.lowerBound])
    }

    func compare(to other: VersionParts) -> Int {
        // 3.2: the first component numerically; 3.3: later ones as strings when either has a leading zero.
        let first = Self.compareIntegers(numbers[0], other.numbers[0])
        if first != 0 { return first }
        for i in 1..<min(numbers.count, other.numbers.count) {
            let (a, b) = (numbers[i], other.numbers[i])
            let c: Int
            if a.hasPrefix("0") || b.hasPrefix("0") {
                let (sa, sb) = (Self.trimTrailingZeros(a), Self.trimTrailingZeros(b))
                c = sa == sb ? 0 : (sa < sb ? -1 : 1)
            } else {
                c = Self.compareIntegers(a, b)
            }
            if c != 0 { return c }
        }
        if numbers.count != other.numbers.count { return numbers.count > other.numbers.count ? 1 : -1 }
        // 3.4: letters.
        if letter != other.letter {
            guard let a = letter else { return -1 }
            guard let b = other.letter else { return 1 }
            return a < b ? -1 : 1
        }
        // 3.5 / 3.6: suffixes.
        for i in 0..<min(suffixes.count, other.suffixes.count) {
            let (a, b) = (suffixes[i], other.suffixes[i])
            if a.rank != b.rank { return a.rank < b.rank ? -1 : 1 }
            let c = Self.compareIntegers(a.number, b.number)
            if c != 0 { return c }
        }
        if suffixes.count > other.suffixes.count {
            return suffixes[other.suffixes.count].rank == Self.pRank ? 1 : -1
        }
        if other.suffixes.count > suffixes.count {
            return other.suffixes[suffixes.count].rank == Self.pRank ? -1 : 1
        }
        // 3.7: revisions.
        return Self.compareIntegers(revision, other.revision)
    }

    private static let pRank = suffixOrder.firstIndex(of: "p")!

    /// Compares unbounded decimal integers; an empty string counts as 0.
    private static func compareIntegers(_ a: Substring, _ b: Substring) -> Int {
        let x = a.drop(while: { $0 == "0" }), y = b.drop(while: { $0 == "0" })
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        return x == y ? 0 : (x < y ? -1 : 1)
    }

    private static func trimTrailingZeros(_ s: Substring) -> Substring {
        var s = s
        while s.last == "0" { s = s.dropLast() }
        return s
    }
}
