import Digests
import FarmModel
import Foundation

/// A file whose size or hashes differ from its Manifest entry.
public struct ManifestMismatch: UserFacingError, Hashable {
    /// One difference between the Manifest and the file.
    public enum Difference: Sendable, Hashable, CustomStringConvertible {
        /// The size differs (checked first; hashes are not computed then).
        case size(expected: Int, actual: Int)
        /// A hash differs.
        case hash(DigestAlgorithm, expected: String, actual: String)

        public var description: String {
            switch self {
            case let .size(expected, actual): "size: expected \(expected) bytes, actual \(actual) bytes"
            case let .hash(algorithm, expected, actual): "\(algorithm): expected \(expected), actual \(actual)"
            }
        }
    }

    /// The checked file's path.
    public var file: String
    /// The Manifest entry it was checked against.
    public var entry: Manifest.Entry
    /// What differs: the size alone, or every supported hash that differs.
    public var differences: [Difference]

    public var problem: String {
        let list = differences.map { "\n    \($0)" }.joined()
        return "\(file) does not match its \(entry.type.rawValue) entry \(entry.name) in \(entry.location):\(list)"
    }

    public var fix: String {
        switch entry.type {
        case .dist:
            "delete \(file) so Portage fetches it again; if the distfile was changed on purpose, "
                + "re-run `ebuild <package>.ebuild manifest` to record its new size and hashes"
        case .data:
            "the binary package is damaged: delete it and rebuild it or fetch it again"
        case .ebuild, .misc, .aux, .manifest:
            "sync the repository again; if you changed the file on purpose, "
                + "re-run `ebuild <package>.ebuild manifest` to record its new size and hashes"
        }
    }
}

extension Manifest {
    /// The order hashes are compared and reported in: strongest first.
    static let verificationOrder: [DigestAlgorithm] = [.blake2b, .sha512, .sha256, .sha1, .md5]

    /// Checks `file` against `entry`: nil when size and every supported hash match, else what differs.
    ///
    /// Reads the file in 1 MiB chunks and computes all hashes in one pass; synchronous, so call it off the
    /// cooperative pool. Throws `ManifestError` when the entry has no supported hash, `DigestError` when the
    /// file cannot be read.
    public func verify(file: URL, against entry: Entry) throws -> ManifestMismatch? {
        let algorithms = Self.verificationOrder.filter { entry.hash($0) != nil }
        guard !algorithms.isEmpty else {
            throw ManifestError(location: entry.location, kind: .noSupportedHash(names: entry.hashes.keys.sorted()))
        }
        let mismatch = { (differences: [ManifestMismatch.Difference]) in
            ManifestMismatch(file: file.path, entry: entry, differences: differences)
        }
        // A cheap size check first: a short download needs no hashing to be rejected.
        if let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int, size != entry.size {
            return mismatch([.size(expected: entry.size, actual: size)])
        }
        let (digests, size) = try Digest.hexAndSize(Set(algorithms), ofFile: file)
        guard size == entry.size else { return mismatch([.size(expected: entry.size, actual: size)]) }
        let differences = algorithms.compactMap { algorithm -> ManifestMismatch.Difference? in
            guard let expected = entry.hash(algorithm), let actual = digests[algorithm], expected != actual else { return nil }
            return .hash(algorithm, expected: expected, actual: actual)
        }
        return differences.isEmpty ? nil : mismatch(differences)
    }

    /// Checks `file` against `entry` and throws the `ManifestMismatch` when it differs.
    public func check(file: URL, against entry: Entry) throws {
        if let mismatch = try verify(file: file, against: entry) { throw mismatch }
    }
}
