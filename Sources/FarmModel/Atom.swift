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

