import Digests
import FarmModel

/// Parses one Manifest line into an entry; nil for blank, `TIMESTAMP` and `IGNORE` lines.
enum ManifestLineParser {
    static func entry(_ line: Substring, at location: SourceLocation) throws(ManifestError) -> Manifest.Entry? {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let first = words.first else { return nil }
        func bad(_ reason: String) -> ManifestError { ManifestError(location: location, kind: .malformedLine(reason)) }
        // GLEP 74 full-tree Manifests: `TIMESTAMP <iso8601>` and `IGNORE <path>` cover no file.
        if first == "TIMESTAMP" || first == "IGNORE" {
            guard words.count == 2 else { throw bad("\(first) takes exactly one argument") }
            return nil
        }
        guard let type = Manifest.EntryType(rawValue: first) else {
            throw bad("unknown entry type \"\(first.prefix(40))\" (expected DIST, EBUILD, MISC, AUX, DATA or MANIFEST)")
        }
        guard words.count >= 5 else { throw bad("expected `\(first) name size HASH hex …`, found \(words.count) fields") }
        guard (words.count - 3) % 2 == 0 else { throw bad("a hash name without its value (odd number of hash fields)") }
        guard let size = Int(words[2]), size >= 0, words[2].allSatisfy(\.isASCII) else {
            throw bad("size \"\(words[2].prefix(40))\" is not a non-negative number")
        }
        var hashes: [String: String] = [:]
        for index in stride(from: 3, to: words.count, by: 2) {
            let name = words[index]
            let hex = words[index + 1].lowercased()
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw bad("\"\(name.prefix(40))\" is not a hash name")
            }
            guard !hex.isEmpty, hex.allSatisfy(\.isHexDigit), hex.allSatisfy(\.isASCII) else {
                throw bad("\(name) value \"\(hex.prefix(40))\" is not hex")
            }
            if let algorithm = DigestAlgorithm(rawValue: name), hex.count != algorithm.hexLength {
                throw bad("\(name) value has \(hex.count) hex digits, expected \(algorithm.hexLength)")
            }
            guard hashes.updateValue(hex, forKey: name) == nil else { throw bad("\(name) is given twice") }
        }
        return Manifest.Entry(type: type, name: words[1], size: size, hashes: hashes, location: location)
    }
}

/// A Manifest that cannot be read or has a malformed line; names the Manifest and line.
public struct ManifestError: UserFacingError, Hashable {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// The Manifest could not be read.
        case unreadable(reason: String)
        /// A line is not a valid entry.
        case malformedLine(String)
        /// An entry lists no hash farmctl can compute (BLAKE2B, SHA512, SHA256, SHA1, MD5).
        case noSupportedHash(names: [String])
    }

    /// The Manifest and line.
    public var location: SourceLocation
    /// What is wrong.
    public var kind: Kind

    public var problem: String {
        switch kind {
        case .unreadable(let reason): "\(location): cannot read the Manifest: \(reason)"
        case .malformedLine(let reason): "\(location): malformed Manifest line: \(reason)"
        case .noSupportedHash(let names):
            "\(location): the entry has no hash farmctl can check (it has \(names.joined(separator: ", ")))"
        }
    }

    public var fix: String {
        switch kind {
        case .unreadable: "check that the Manifest exists and is readable by the user running farmctl"
        case .malformedLine, .noSupportedHash:
            "regenerate it: run `ebuild <package>.ebuild manifest` in the package directory "
                + "(with manifest-hashes = BLAKE2B SHA512 in metadata/layout.conf)"
        }
    }
}
