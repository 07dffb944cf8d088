import Digests
import Foundation

/// The outcome of checking a binary package's integrity: ok, or every problem found, each naming its member.
public struct BinpkgVerification: Sendable, Hashable, CustomStringConvertible {
    /// One thing wrong with the package.
    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        /// gpkg: there is no `gpkg-1` format marker member.
        case missingFormatMarker
        /// gpkg: the Manifest is missing or malformed, so no member can be checked.
        case unusableManifest(String)
        /// gpkg: a Manifest line other than `DATA` (Portage allows only `DATA` in a gpkg Manifest).
        case unexpectedManifestEntry(String)
        /// gpkg: a member the Manifest lists is absent.
        case missingMember(String)
        /// gpkg: a member's size differs from its Manifest entry.
        case sizeMismatch(member: String, expected: Int, actual: Int)
        /// gpkg: the file ends inside the member.
        case truncated(member: String, expected: Int, present: Int)
        /// gpkg: a member's digest differs from its Manifest entry.
        case digestMismatch(member: String, algorithm: DigestAlgorithm, expected: String, actual: String)
        /// gpkg: the member's Manifest entry has no hash farmctl computes.
        case noSupportedHash(member: String)
        /// gpkg: a member the Manifest does not list (Portage refuses these, `.sig` members included).
        case notInManifest(String)
        /// gpkg: the container tar is damaged after its last readable member.
        case damagedContainer(String)
        /// xpak: the trailer no longer parses.
        case badTrailer(String)
        /// A member, the xpak `payload` or the file itself cannot be read to its end.
        case unreadable(member: String, message: String)

        /// The member the problem is about, e.g. `image.tar.xz`; nil when it concerns the whole package.
        public var member: String? {
            switch self {
            case .missingFormatMarker: "gpkg-1"
            case .unusableManifest, .unexpectedManifestEntry: "Manifest"
            case .missingMember(let name), .notInManifest(let name): name
            case .sizeMismatch(let name, _, _), .truncated(let name, _, _), .digestMismatch(let name, _, _, _),
                 .noSupportedHash(let name), .unreadable(let name, _): name
            case .damagedContainer, .badTrailer: nil
            }
        }

        public var description: String {
            switch self {
            case .missingFormatMarker: "no gpkg-1 format marker member"
            case .unusableManifest(let why): "Manifest unusable: \(why)"
            case .unexpectedManifestEntry(let line): "Manifest: \(line) is not a DATA entry"
            case .missingMember(let name): "\(name): listed in the Manifest but absent"
            case let .sizeMismatch(name, expected, actual): "\(name): \(actual) bytes, the Manifest says \(expected)"
            case let .truncated(name, expected, present): "\(name): cut off after \(present) of \(expected) bytes"
            case let .digestMismatch(name, algorithm, expected, actual):
                "\(name): \(algorithm) is \(actual), the Manifest says \(expected)"
            case .noSupportedHash(let name): "\(name): its Manifest entry has no BLAKE2B, SHA512 or other known hash"
            case .notInManifest(let name): "\(name): not listed in the Manifest"
            case .damagedContainer(let message): "the container tar is damaged: \(message)"
            case .badTrailer(let message): message
            case let .unreadable(name, message): "\(name): \(message)"
            }
        }
    }

    /// The package's path.
    public let path: String
    /// What is wrong, in the order found; empty when the package is sound.
    public let problems: [Problem]

    /// True when no problem was found.
    public var isOK: Bool { problems.isEmpty }

    public var description: String {
        isOK ? "\(path): ok" : "\(path):" + problems.map { "\n    \($0)" }.joined()
    }
}

extension BinaryPackage {
    /// Checks the package's integrity and reports every problem found.
    ///
    /// gpkg: the `gpkg-1` marker; every member the Manifest lists is present with its size, BLAKE2B and SHA512
    /// (each member streamed once through the hashers); every member but the Manifest is listed. xpak: the
    /// trailer still parses. Both: the image (gpkg `image.tar.*`, xpak payload) decompresses and reads as a
    /// tar to its end. OpenPGP signatures are not verified; entry names are judged by `extractImage`.
    public func verify() -> BinpkgVerification {
        var problems: [BinpkgVerification.Problem] = []
        let reader: ByteReader
        do { reader = try ByteReader(source, path: path) } catch {
            return BinpkgVerification(path: path, problems: [.unreadable(member: "the file", message: error.problem)])
        }
        switch format {
        case .gpkg: problems += gpkg?.containerProblems(reader) ?? []
        case .xpak:
            do { _ = try Self.readTrailer(source, path: path, limits: limits) } catch {
                problems.append(.badTrailer(error.problem))
            }
        }
        do {
            let archive = try openImage(reader)
            _ = try archive.readToEnd(maximumEntries: limits.imageEntries)
        } catch {
            switch error.kind {
            case .missingMember(let name):
                if !problems.contains(where: { $0.member?.hasPrefix("image.tar") == true }) { problems.append(.missingMember(name)) }
            case .corruptArchive(let member, let message): problems.append(.unreadable(member: member, message: message))
            default: problems.append(.unreadable(member: gpkg?.imageMember ?? "payload", message: error.problem))
            }
        }
        return BinpkgVerification(path: path, problems: problems)
    }
}
