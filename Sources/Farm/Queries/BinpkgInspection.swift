import Binpkg
import FarmModel
import Foundation

/// What `farmctl binpkg inspect` reports about one binpkg file.
public struct BinpkgInspection: Sendable {
    public var path: String
    /// `xpak` or `gpkg`.
    public var format: String
    /// The compression of the payload (`zstd`, `xz`, `bzip2`, …).
    public var compression: String
    /// Every metadata key → its text, one trailing newline trimmed (binary values such as
    /// `environment.bz2` as a placeholder naming their size).
    public var metadata: [String: String]
    /// Regular files, directories, links… in the image.
    public var entries: Int
    /// Regular files in the image.
    public var files: Int
    public var compatKey: String
    public var compatibility: CompatibilityKey
    /// Signature members (gpkg), noted but not checked.
    public var signatures: [String]
    public var verified: Bool
    public var problems: [String]

    /// Reads and verifies the binpkg at `path`; an unreadable or malformed file throws a typed error.
    public static func inspect(path: String) throws -> BinpkgInspection {
        let url = URL(fileURLWithPath: path)
        let package = try BinaryPackage(contentsOf: url)
        let entries = try package.imageEntries()
        let problems = package.verify().problems.map(\.description)
        let key = package.metadata.compatibilityKey
        return BinpkgInspection(
            path: path, format: package.format.rawValue, compression: package.payloadCompression?.rawValue ?? "unknown",
            metadata: textMetadata(package), entries: entries.count,
            files: entries.filter { $0.type == .file }.count, compatKey: key.digest, compatibility: key,
            signatures: package.gpkg?.signatureMembers ?? [], verified: problems.isEmpty, problems: problems)
    }

    /// Every key's text, one trailing newline trimmed; values that are not UTF-8 (e.g. `environment.bz2`)
    /// as `<binary, N bytes>`.
    static func textMetadata(_ package: BinaryPackage) -> [String: String] {
        var text: [String: String] = [:]
        for (key, data) in package.rawMetadata {
            if let decoded = String(data: data, encoding: .utf8) {
                text[key] = decoded.hasSuffix("\n") ? String(decoded.dropLast()) : decoded
            } else {
                text[key] = "<binary, \(data.count) bytes>"
            }
        }
        return text
    }
}
