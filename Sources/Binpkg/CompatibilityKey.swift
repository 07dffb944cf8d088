import Digests
import FarmModel
import Foundation

/// What decides whether a binpkg built for one class may be installed in another: toolchain flags,
/// USE, CPU_FLAGS_X86, the FEATURES that change the image, and the sub-slots its `:=` deps were bound to.
///
/// Two binpkgs of the same CPV with equal keys are interchangeable; `digest` names a key in one short
/// string. Portage itself ignores CFLAGS and CHOST when it picks a binpkg, which is why farmctl checks them.
public struct CompatibilityKey: Sendable, Hashable, Codable {
    /// FEATURES that change what a binpkg contains (stripping, debug info, sources).
    public static let contentFeatures: Set<String> = [
        "compressdebug", "dedupdebug", "installsources", "nostrip", "splitdebug", "strip",
    ]

    /// `CHOST`, whitespace-normalised.
    public var chost: String
    /// `CFLAGS`, whitespace-normalised.
    public var cflags: String
    /// `CXXFLAGS`, whitespace-normalised.
    public var cxxflags: String
    /// `LDFLAGS`, whitespace-normalised.
    public var ldflags: String
    /// Enabled USE flags the package declares (IUSE-effective), sorted, without `cpu_flags_x86_*`.
    public var use: [String]
    /// Enabled `CPU_FLAGS_X86` values among those the package declares, sorted.
    public var cpuFlagsX86: [String]
    /// The content-changing FEATURES that were on, sorted.
    public var features: [String]
    /// The slot-operator bindings of DEPEND/RDEPEND, e.g. `dev-libs/libfarmhash:0/1`, sorted.
    public var subslots: [String]

    /// The key of a binpkg, read from its metadata.
    public init(metadata: BinpkgMetadata) {
        chost = Self.normalise(metadata.chost)
        cflags = Self.normalise(metadata.cflags)
        cxxflags = Self.normalise(metadata.cxxflags)
        ldflags = Self.normalise(metadata.ldflags)
        let effective = BinpkgMetadata.words(metadata["IUSE_EFFECTIVE"])
        let declared = effective.isEmpty ? metadata.iuseNames : effective.union(metadata.iuseNames)
        let enabled = metadata.use.filter { declared.isEmpty || declared.contains($0) || $0.hasPrefix(Self.cpuPrefix) }
        use = enabled.filter { !$0.hasPrefix(Self.cpuPrefix) }.sorted()
        cpuFlagsX86 = enabled.filter { $0.hasPrefix(Self.cpuPrefix) }.map { String($0.dropFirst(Self.cpuPrefix.count)) }.sorted()
        features = BinpkgMetadata.words(metadata["FEATURES"]).intersection(Self.contentFeatures).sorted()
        subslots = Self.slotBindings(in: [metadata.depend, metadata.rdepend].compactMap { $0 }.joined(separator: " "))
    }

    static let cpuPrefix = "cpu_flags_x86_"

    /// One line per component, in a fixed order: what `digest` hashes.
    public var canonicalText: String {
        [
            "CHOST=\(chost)", "CFLAGS=\(cflags)", "CXXFLAGS=\(cxxflags)", "LDFLAGS=\(ldflags)",
            "USE=\(use.joined(separator: " "))", "CPU_FLAGS_X86=\(cpuFlagsX86.joined(separator: " "))",
            "FEATURES=\(features.joined(separator: " "))", "SUBSLOTS=\(subslots.joined(separator: " "))",
        ].joined(separator: "\n") + "\n"
    }

    /// A short name for the key, e.g. `ck1-3f0a…` (20 hex digits of SHA-256 over `canonicalText`).
    public var digest: String {
        let hex = (try? Digest.hex(.sha256, of: Data(canonicalText.utf8))) ?? String(repeating: "0", count: 64)
        return "ck1-" + hex.prefix(20)
    }

    /// The components in which `other` differs from this key; empty when a binpkg with `other` may be reused.
    public func differences(from other: CompatibilityKey) -> [CompatibilityDifference] {
        let pairs: [(String, String, String)] = [
            ("CHOST", chost, other.chost), ("CFLAGS", cflags, other.cflags),
            ("CXXFLAGS", cxxflags, other.cxxflags), ("LDFLAGS", ldflags, other.ldflags),
            ("USE", use.joined(separator: " "), other.use.joined(separator: " ")),
            ("CPU_FLAGS_X86", cpuFlagsX86.joined(separator: " "), other.cpuFlagsX86.joined(separator: " ")),
            ("FEATURES", features.joined(separator: " "), other.features.joined(separator: " ")),
            ("sub-slots", subslots.joined(separator: " "), other.subslots.joined(separator: " ")),
        ]
        return pairs.filter { $0.1 != $0.2 }.map { CompatibilityDifference(component: $0.0, expected: $0.1, found: $0.2) }
    }

    /// Checks this binpkg key against a class's toolchain; the differences make reuse unsafe.
    public func differences(from toolchain: ClassToolchain, declaredCPUFlags: Set<String>) -> [CompatibilityDifference] {
        var found: [CompatibilityDifference] = []
        let fields: [(String, String?, String)] = [
            ("CHOST", toolchain.chost, chost), ("CFLAGS", toolchain.cflags, cflags),
            ("CXXFLAGS", toolchain.cxxflags, cxxflags), ("LDFLAGS", toolchain.ldflags, ldflags),
        ]
        for (name, expected, actual) in fields {
            guard let expected else { continue }
            let normalised = Self.normalise(expected)
            if normalised != actual { found.append(CompatibilityDifference(component: name, expected: normalised, found: actual)) }
        }
        if let classFlags = toolchain.cpuFlagsX86 {
            let expected = classFlags.intersection(declaredCPUFlags).sorted().joined(separator: " ")
            let actual = cpuFlagsX86.joined(separator: " ")
            if expected != actual { found.append(CompatibilityDifference(component: "CPU_FLAGS_X86", expected: expected, found: actual)) }
        }
        return found
    }

    static func normalise(_ text: String?) -> String {
        (text ?? "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// `cat/pn:slot/sub` for every `…:slot/sub=` atom in a dependency string.
    static func slotBindings(in text: String) -> [String] {
        var bindings = Set<String>()
        for token in text.split(whereSeparator: \.isWhitespace) {
            guard let colon = token.firstIndex(of: ":") else { continue }
            var slot = token[token.index(after: colon)...]
            if let bracket = slot.firstIndex(of: "[") { slot = slot[..<bracket] }
            guard slot.hasSuffix("="), slot.count > 1 else { continue }
            let atom = String(token[..<colon].drop { $0 == "!" })
            let cp = (try? Atom(atom)).map(\.cp) ?? atom
            bindings.insert("\(cp):\(slot.dropLast())")
        }
        return bindings.sorted()
    }
}

/// One component in which a binpkg differs from what was expected.
public struct CompatibilityDifference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `CHOST`, `CFLAGS`, `USE`, …
    public var component: String
    /// The value the class (or the other binpkg) has.
    public var expected: String
    /// The value the binpkg was built with.
    public var found: String

    /// e.g. `CFLAGS is "-O2 -march=athlon-xp", expected "-O2 -march=pentium3"`.
    public var description: String { "\(component) is \"\(found)\", expected \"\(expected)\"" }
}

/// The flags a class builds with, from its make.conf (nil = not set there, so not checked).
public struct ClassToolchain: Sendable, Hashable {
    public var chost: String?
    public var cflags: String?
    public var cxxflags: String?
    public var ldflags: String?
    public var cpuFlagsX86: Set<String>?

    /// A toolchain; nil fields are not checked.
    public init(chost: String?, cflags: String?, cxxflags: String?, ldflags: String?, cpuFlagsX86: Set<String>?) {
        self.chost = chost
        self.cflags = cflags
        self.cxxflags = cxxflags
        self.ldflags = ldflags
        self.cpuFlagsX86 = cpuFlagsX86
    }
}

extension BinpkgMetadata {
    /// The binpkg's compatibility key.
    public var compatibilityKey: CompatibilityKey { CompatibilityKey(metadata: self) }
    /// The `CPU_FLAGS_X86` values the package declares in IUSE (e.g. `sse`, `3dnow`).
    public var declaredCPUFlags: Set<String> {
        Set(iuseNames.filter { $0.hasPrefix(CompatibilityKey.cpuPrefix) }.map { String($0.dropFirst(CompatibilityKey.cpuPrefix.count)) })
    }
}
