import Digests
import FarmModel
import Foundation

/// A Portage Manifest (thin or full, optionally PGP clear-signed): `TYPE name size HASH hex [HASH hex …]` lines.
public struct Manifest: Sendable, Hashable {
    /// The kind of file a Manifest line covers.
    public enum EntryType: String, Sendable, Hashable, CaseIterable {
        /// A distfile in DISTDIR.
        case dist = "DIST"
        /// An ebuild in the package directory.
        case ebuild = "EBUILD"
        /// Any other file in the package directory (metadata.xml …).
        case misc = "MISC"
        /// A file under `files/`.
        case aux = "AUX"
        /// A member of a gpkg binary package.
        case data = "DATA"
        /// A sub-Manifest (GLEP 74).
        case manifest = "MANIFEST"
    }

    /// One line naming a file with its size and hashes.
    public struct Entry: Sendable, Hashable {
        /// What kind of file it is.
        public var type: EntryType
        /// The file name (relative to DISTDIR, the package directory, `files/` or the gpkg).
        public var name: String
        /// The size in bytes.
        public var size: Int
        /// Hash name (`BLAKE2B`, `SHA512`, …) to lowercase hex.
        public var hashes: [String: String]
        /// The Manifest path and line the entry came from.
        public var location: SourceLocation

        /// The hex digest recorded for `algorithm`, if any.
        public func hash(_ algorithm: DigestAlgorithm) -> String? { hashes[algorithm.rawValue] }
    }

    /// The Manifest's path as given.
    public let path: String
    /// The entries in file order.
    public let entries: [Entry]
    /// True when the Manifest is PGP clear-signed (the signature is not checked here).
    public let isSigned: Bool

    /// The entry for `name`, optionally of one type, e.g. `entry(named: "foo-1.0.tar.gz", type: .dist)`.
    public func entry(named name: String, type: EntryType? = nil) -> Entry? {
        entries.first { $0.name == name && (type == nil || $0.type == type) }
    }

    /// The DIST entries.
    public var distfiles: [Entry] { entries.filter { $0.type == .dist } }

    /// Reads and parses the Manifest at `url`.
    public init(contentsOf url: URL) throws(ManifestError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw ManifestError(location: SourceLocation(path: url.path), kind: .unreadable(reason: Digest.describe(error)))
        }
        try self.init(parsing: String(decoding: data, as: UTF8.self), path: url.path)
    }

    /// Parses Manifest text; `path` names the file in errors.
    public init(parsing text: String, path: String) throws(ManifestError) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { ($0 + 1, $1) }
        let signed = lines.first { !$0.1.isEmpty }?.1 == "-----BEGIN PGP SIGNED MESSAGE-----"
        if signed { lines = try Self.signedBody(lines, path: path) }
        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        for (number, line) in lines {
            let location = SourceLocation(path: path, line: number)
            guard let entry = try ManifestLineParser.entry(line, at: location) else { continue }
            let key = "\(entry.type.rawValue) \(entry.name)"
            if let first = seen[key] {
                throw ManifestError(location: location, kind: .malformedLine("\(key) is listed twice (first on line \(first))"))
            }
            seen[key] = number
            entries.append(entry)
        }
        self.path = path
        self.entries = entries
        self.isSigned = signed
    }

    /// The lines between the clear-sign armour header and the signature, dash-escaping undone.
    private static func signedBody(_ lines: [(Int, Substring)], path: String) throws(ManifestError) -> [(Int, Substring)] {
        // Armour headers (`Hash: SHA512`) run up to the first blank line after the BEGIN line.
        guard let begin = lines.firstIndex(where: { !$0.1.isEmpty }),
              let blank = lines[begin...].firstIndex(where: { $0.1.isEmpty }),
              let end = lines[blank...].firstIndex(where: { $0.1 == "-----BEGIN PGP SIGNATURE-----" })
        else {
            let beginLine = lines.first { !$0.1.isEmpty }?.0
            throw ManifestError(location: SourceLocation(path: path, line: beginLine),
                                kind: .malformedLine("a PGP signed message without its signature block"))
        }
        return lines[(blank + 1)..<end].map { number, line in
            (number, line.hasPrefix("- ") ? line.dropFirst(2) : line)
        }
    }
}
