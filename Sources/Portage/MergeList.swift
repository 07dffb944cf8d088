import Foundation
import FarmModel

/// One line of emerge's merge list (`emerge --pretend --verbose`).
public struct MergeListEntry: Sendable, Hashable {
    /// What emerge would do with the package.
    public enum Kind: String, Sendable, Hashable {
        case ebuild, binary, nomerge, uninstall, blocks
    }

    /// ebuild, binary, …
    public var kind: Kind
    /// The flag column as printed, e.g. `N`, `U`, `R`, `r  U`, `NS`.
    public var flags: String
    /// The package.
    public var cpv: CPV
    /// `SLOT` and sub-slot when `--verbose` printed them.
    public var slot: String?
    public var subslot: String?
    /// The repository name after `::`.
    public var repository: String?
    /// The binpkg's build id for `[binary]` lines of a multi-instance PKGDIR.
    public var binpkgBuildID: Int?
    /// The version being replaced (`[1.0]`), for upgrades and downgrades.
    public var replacing: String?
    /// USE and USE_EXPAND variables as printed (`USE`, `CPU_FLAGS_X86`, …): each flag and whether it is on.
    public var flagVariables: [String: [String: Bool]]
    /// Indentation depth in `--tree` output (0 without `--tree`).
    public var depth: Int
    /// The target root (` to ROOT/`), or nil for Portage's own host side (build-only dependencies).
    public var root: String?

    /// True for a package new to the target root.
    public var isNew: Bool { flags.contains("N") }
    /// The enabled USE flags (`USE` only).
    public var enabledUSE: Set<String> { Set((flagVariables["USE"] ?? [:]).filter(\.value).keys) }
}

/// Reading `emerge --pretend` output.
public enum MergeList {
    /// Parses every merge-list line of emerge's output; other lines (headers, totals, notes) are ignored.
    public static func parse(_ output: String) throws -> [MergeListEntry] {
        var entries: [MergeListEntry] = []
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard line.hasPrefix("["), let entry = try parseLine(Substring(line), lineNumber: index + 1) else { continue }
            entries.append(entry)
        }
        return entries
    }

    static func parseLine(_ line: Substring, lineNumber: Int) throws -> MergeListEntry? {
        guard let close = line.firstIndex(of: "]") else { return nil }
        let bracket = line[line.index(after: line.startIndex)..<close]
        let kindWord = bracket.prefix { $0.isLetter }
        guard let kind = MergeListEntry.Kind(rawValue: String(kindWord)) else { return nil }
        if kind == .blocks { return nil }  // blockers name an atom, not a package to build
        let flags = bracket.dropFirst(kindWord.count).trimmingCharacters(in: .whitespaces)
        var rest = line[line.index(after: close)...]
        rest = rest.dropFirst()  // the single space after "]"
        let depth = rest.prefix { $0 == " " }.count
        rest = rest.drop { $0 == " " }
        let token = rest.prefix { $0 != " " }
        rest = rest.dropFirst(token.count)
        guard var entry = parsePackage(String(token), kind: kind) else {
            throw MergeListError(line: lineNumber, text: String(line))
        }
        entry.flags = flags
        entry.depth = depth
        parseTail(rest, into: &entry)
        return entry
    }

    /// Splits `cat/pf[-buildid][:slot[/sub]][::repo]`.
    static func parsePackage(_ token: String, kind: MergeListEntry.Kind) -> MergeListEntry? {
        var text = Substring(token)
        var repository: String?
        if let range = text.range(of: "::") {
            repository = String(text[range.upperBound...])
            text = text[..<range.lowerBound]
        }
        var slot: String?
        var subslot: String?
        if let colon = text.firstIndex(of: ":") {
            let slotText = text[text.index(after: colon)...]
            let parts = slotText.split(separator: "/", maxSplits: 1)
            slot = parts.first.map(String.init)
            subslot = parts.count > 1 ? String(parts[1]) : nil
            text = text[..<colon]
        }
        var buildID: Int?
        if kind == .binary, let dash = text.lastIndex(of: "-"),
           let number = Int(text[text.index(after: dash)...]), CPV(String(text[..<dash])) != nil {
            buildID = number
            text = text[..<dash]
        }
        guard let cpv = CPV(String(text)) else { return nil }
        return MergeListEntry(kind: kind, flags: "", cpv: cpv, slot: slot, subslot: subslot, repository: repository,
                              binpkgBuildID: buildID, replacing: nil, flagVariables: [:], depth: 0, root: nil)
    }

    /// Reads `[old]`, `VAR="flags"` pairs and ignores the size.
    static func parseTail(_ tail: Substring, into entry: inout MergeListEntry) {
        var rest = tail.drop { $0 == " " }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            let old = rest[rest.index(after: rest.startIndex)..<close]
            entry.replacing = old.split(separator: ":").first.map(String.init)
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        if rest.hasPrefix("to ") {
            let root = rest.dropFirst(3).prefix { $0 != " " }
            entry.root = String(root)
            rest = rest.dropFirst(3 + root.count)
        }
        while let equals = rest.range(of: "=\"") {
            let name = rest[..<equals.lowerBound].split(separator: " ").last.map(String.init) ?? ""
            let valueStart = equals.upperBound
            guard let quote = rest[valueStart...].firstIndex(of: "\"") else { break }
            let value = rest[valueStart..<quote]
            if !name.isEmpty, name.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) {
                entry.flagVariables[name] = parseFlags(value)
            }
            rest = rest[rest.index(after: quote)...]
        }
    }

    /// `introspection%* (mime) -debug (-selinux)` → flag: on/off, markers removed.
    static func parseFlags(_ text: Substring) -> [String: Bool] {
        var flags: [String: Bool] = [:]
        for word in text.split(separator: " ") {
            var flag = word.trimmingCharacters(in: CharacterSet(charactersIn: "()%*{}"))
            let enabled = !flag.hasPrefix("-")
            if !enabled { flag.removeFirst() }
            flag = flag.trimmingCharacters(in: CharacterSet(charactersIn: "()%*{}"))
            if !flag.isEmpty { flags[flag] = enabled }
        }
        return flags
    }
}

/// A merge-list line that names no package farmctl can read.
public struct MergeListError: UserFacingError {
    public var line: Int
    public var text: String
    public var problem: String { "emerge --pretend output line \(line) names no package farmctl can read: \(text)" }
    public var fix: String { "check the Portage version (3.0.x is supported) and report this line" }
}
