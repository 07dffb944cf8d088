import Foundation  // CPV.swift uses Foundation's `range(of:options:)`; this import makes it visible module-wide.

/// A Portage dependency atom, e.g. `>=dev-libs/libfoo-1.2-r1:0/2=::gentoo[ssl,-gtk]`.
public struct Atom: Hashable, Sendable, CustomStringConvertible {
    /// A version operator in front of the atom.
    public enum Operator: String, Hashable, Sendable {
        case less = "<", lessOrEqual = "<=", equal = "=", approximately = "~", greaterOrEqual = ">=", greater = ">"
        /// `=cat/pkg-1.2*`: versions starting with `1.2` on a component boundary.
        case equalGlob = "=*"
    }

    /// A blocker prefix: `!` (weak) or `!!` (strong).
    public enum Blocker: String, Hashable, Sendable { case weak = "!", strong = "!!" }

    /// A slot operator after the slot: `:=` (rebuild on subslot change) or `:*` (any slot).
    public enum SlotOperator: String, Hashable, Sendable { case equal = "=", any = "*" }

    /// The blocker prefix, if any.
    public let blocker: Blocker?
    /// The version operator; non-nil exactly when `version` is.
    public let op: Operator?
    /// The category, e.g. `dev-libs`.
    public let category: String
    /// The package name, e.g. `libfoo`.
    public let package: String
    /// The version with any revision (which `~` ignores), without a glob `*`.
    public let version: String?
    /// The slot named after `:`.
    public let slot: String?
    /// The subslot named after `:slot/`.
    public let subslot: String?
    /// `=` or `*` after the slot.
    public let slotOperator: SlotOperator?
    /// The repository named after `::`.
    public let repository: String?
    /// The USE dependencies between `[` and `]`, kept as text.
    public let useDependencies: String?

    /// `cat/pkg`.
    public var cp: String { "\(category)/\(package)" }

    /// Parses an atom; throws ``AtomError`` naming what is wrong.
    public init(_ text: String) throws(AtomError) {
        func fail(_ reason: String) -> AtomError { AtomError(text: text, reason: reason) }
        var rest = Substring(text)
        guard !rest.isEmpty, !rest.contains(where: \.isWhitespace) else { throw fail("an atom is one word") }

        if rest.hasPrefix("!!") { blocker = .strong; rest = rest.dropFirst(2) }
        else if rest.hasPrefix("!") { blocker = .weak; rest = rest.dropFirst() }
        else { blocker = nil }

        if rest.last == "]" {
            guard let open = rest.firstIndex(of: "[") else { throw fail("`]` without `[`") }
            let inner = rest[rest.index(after: open)..<rest.index(before: rest.endIndex)]
            guard !inner.isEmpty, !inner.contains("["), !inner.contains("]") else { throw fail("bad USE dependencies") }
            useDependencies = String(inner)
            rest = rest[..<open]
        } else {
            guard !rest.contains("["), !rest.contains("]") else { throw fail("USE dependencies must come last") }
            useDependencies = nil
        }

        if let colons = rest.range(of: "::") {
            let name = rest[colons.upperBound...]
            guard Atom.isRepositoryName(name) else { throw fail("bad repository name `\(name)`") }
            repository = String(name)
            rest = rest[..<colons.lowerBound]
        } else {
            repository = nil
        }

        if let colon = rest.firstIndex(of: ":") {
            (slot, subslot, slotOperator) = try Atom.parseSlot(rest[rest.index(after: colon)...], fail)
            rest = rest[..<colon]
        } else {
            (slot, subslot, slotOperator) = (nil, nil, nil)
        }

        let prefix = rest.prefix(while: { "<>=~".contains($0) })
        rest = rest.dropFirst(prefix.count)
        var glob = false
        if rest.last == "*" { glob = true; rest = rest.dropLast() }
        switch prefix {
        case "":
            guard !glob else { throw fail("`*` needs the `=` operator") }
            let (cat, pkg) = try Atom.parseCP(rest, fail)
            (op, category, package, version) = (nil, cat, pkg, nil)
        case "<", "<=", "=", "~", ">=", ">":
            guard let cpv = CPV(String(rest)) else { throw fail("operator `\(prefix)` needs `category/package-version`") }
            _ = try Atom.parseCP(Substring(cpv.cp), fail)
            if glob {
                guard prefix == "=" else { throw fail("`*` is only valid with `=`") }
                op = .equalGlob
            } else {
                op = Operator(rawValue: String(prefix))
            }
            (category, package, version) = (cpv.category, cpv.package, cpv.version)
        default:
            throw fail("unknown operator `\(prefix)`")
        }
    }

    /// True when `cpv` is this package and its version satisfies the operator.
    ///
    /// A CPV carries no slot, repository or USE flags, so those parts of the atom are not checked.
    public func matches(_ cpv: CPV) -> Bool {
        guard cpv.category == category, cpv.package == package else { return false }
        guard let op, let version else { return true }
        switch op {
        case .equal: return CPV.compareVersions(cpv.version, version) == 0
        case .less: return CPV.compareVersions(cpv.version, version) < 0
        case .lessOrEqual: return CPV.compareVersions(cpv.version, version) <= 0
        case .greater: return CPV.compareVersions(cpv.version, version) > 0
        case .greaterOrEqual: return CPV.compareVersions(cpv.version, version) >= 0
        case .approximately:
            return CPV.compareVersions(VersionParts.dropRevision(cpv.version), VersionParts.dropRevision(version)) == 0
        case .equalGlob:
            // Portage: a string prefix that ends on a component boundary, so `1*` does not match `10`.
            guard cpv.version.hasPrefix(version) else { return false }
            let next = cpv.version.dropFirst(version.count).first
            return next == nil || !next!.isNumber || version.last?.isNumber != true
        }
    }

    public var description: String {
        var text = (blocker?.rawValue ?? "")
        switch op {
        case nil: text += cp
        case .equalGlob: text += "=\(cp)-\(version ?? "")*"
        case let op?: text += "\(op.rawValue)\(cp)-\(version ?? "")"
        }
        if slot != nil || slotOperator != nil {
            text += ":" + (slot ?? "") + (subslot.map { "/\($0)" } ?? "") + (slotOperator?.rawValue ?? "")
        }
        if let repository { text += "::\(repository)" }
        if let useDependencies { text += "[\(useDependencies)]" }
        return text
    }

    private static func parseCP(_ text: Substring, _ fail: (String) -> AtomError) throws(AtomError) -> (String, String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw fail("expected `category/package`") }
        let (cat, pkg) = (parts[0], parts[1])
        guard isName(cat, extra: "+_.-") else { throw fail("bad category name `\(cat)`") }
        // PMS: a package name must not end in a hyphen followed by something that is a valid version.
        if let dash = pkg.lastIndex(of: "-"), CPV.isVersion(String(pkg[pkg.index(after: dash)...])) {
            throw fail("package name `\(pkg)` ends in a version; add an operator such as `=`")
        }
        guard isName(pkg, extra: "+_-") else { throw fail("bad package name `\(pkg)`") }
        return (String(cat), String(pkg))
    }

    private static func parseSlot(_ text: Substring, _ fail: (String) -> AtomError) throws(AtomError)
        -> (String?, String?, SlotOperator?) {
        if text == "*" { return (nil, nil, .any) }
        if text == "=" { return (nil, nil, .equal) }
        var body = text
        var slotOp: SlotOperator?
        if body.last == "=" { slotOp = .equal; body = body.dropLast() }
        let parts = body.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ isName($0, extra: "+_.-") }) else { throw fail("bad slot `:\(text)`") }
        return (String(parts[0]), parts.count == 2 ? String(parts[1]) : nil, slotOp)
    }

    private static func isRepositoryName(_ text: Substring) -> Bool { isName(text, extra: "_-") }

    /// PMS names: `[A-Za-z0-9_][A-Za-z0-9<extra>]*`.
    private static func isName(_ text: Substring, extra: String) -> Bool {
        guard let first = text.first, first.isASCII, first.isLetter || first.isNumber || first == "_" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || extra.contains($0)) }
    }
}

/// An atom that does not parse: the text and what is wrong with it.
public struct AtomError: UserFacingError, Equatable {
    /// The text that was parsed.
    public var text: String
    /// Why it is not an atom.
    public var reason: String
    public var problem: String { "invalid atom `\(text)`: \(reason)" }
    public var fix: String { "write an atom such as `dev-libs/libfoo`, `>=dev-libs/libfoo-1.2` or `dev-libs/libfoo:0`" }
}

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
