import Binpkg
import Digests
import FarmModel
import Foundation

/// What is wrong with one binpkg file, checked against its index entry and its own structure.
enum BinpkgHealth {
    /// Problems with the binpkg at `url` (empty: healthy); `entry` is its block in the PKGDIR index, if any.
    /// With the farm's signing key, a gpkg must also be signed by it (its Manifest's clear-signature verified).
    static func problems(of url: URL, entry: PackagesBlock?, signedBy key: SigningKey? = nil) -> [String] {
        var found: [String] = []
        if let entry {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue
            if let expected = entry.size, let size, expected != size {
                found.append("size is \(size) bytes, the index says \(expected)")
            }
            var wanted: [(DigestAlgorithm, String)] = []
            if let md5 = entry.md5 { wanted.append((.md5, md5)) }
            if let sha1 = entry.sha1 { wanted.append((.sha1, sha1)) }
            if !wanted.isEmpty, found.isEmpty {
                do {
                    let digests = try Digest.hex(Set(wanted.map(\.0)), ofFile: url)
                    for (algorithm, value) in wanted where digests[algorithm] != value.lowercased() {
                        found.append("\(algorithm) is \(digests[algorithm] ?? "?"), the index says \(value)")
                    }
                } catch { found.append(error.problemText) }
            }
        }
        do {
            let package = try BinaryPackage(contentsOf: url)
            found.append(contentsOf: package.verify().problems.map(\.description))
            if let key, let gpkg = package.gpkg, let problem = key.problem(manifest: gpkg.manifestText) { found.append(problem) }
        } catch {
            found.append(error.problemText)
        }
        return found
    }
}
