import FarmModel
import Foundation

/// The binpkg-multi-instance files of one package version: `<cat>/<pn>/<pf>-<N>.xpak` or `.gpkg.tar`.
enum BinpkgInstances {
    static let suffixes = [".xpak", ".gpkg.tar"]

    /// The directory of `cpv`'s instances, relative to a PKGDIR.
    static func directory(_ cpv: CPV) -> String { "\(cpv.category)/\(cpv.package)" }

    /// Build id and file name of each of `names` that is an instance of `cpv`.
    static func parse(_ names: [String], cpv: CPV) -> [(id: Int, name: String)] {
        let prefix = "\(cpv.pf)-"
        return names.compactMap { name in
            guard name.hasPrefix(prefix), let suffix = suffixes.first(where: { name.hasSuffix($0) }),
                  let number = Int(name.dropFirst(prefix.count).dropLast(suffix.count)) else { return nil }
            return (number, name)
        }.sorted { $0.id < $1.id }
    }

    /// The instances of `cpv` in a PKGDIR on the coordinator, oldest build id first.
    static func local(pkgdir: String, cpv: CPV) -> [(id: Int, name: String)] {
        let directory = (pkgdir as NSString).appendingPathComponent(directory(cpv))
        return parse((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [], cpv: cpv)
    }

    /// The PKGDIR-relative path of the instance `id` of `cat/pf` if the coordinator's PKGDIR has it.
    static func existing(pkgdir: String, cpf: String, id: Int) -> String? {
        guard let cpv = CPV(cpf) else { return nil }
        return suffixes.map { "\(directory(cpv))/\(cpv.pf)-\(id)\($0)" }
            .first { FileManager.default.fileExists(atPath: (pkgdir as NSString).appendingPathComponent($0)) }
    }

    /// Parses `cat/pf id` lines (a worker's listing of its vardb).
    static func parseListing(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard let first = parts.first else { continue }
            result[String(first)] = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        }
        return result
    }
}
