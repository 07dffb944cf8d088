import FarmModel
import Foundation

/// PKGDIR file names: the binpkg-multi-instance files of one package version, `<cat>/<pn>/<pf>-<N>.xpak` or
/// `.gpkg.tar`, and the flat `<cat>/<pf>.tbz2` of older PKGDIRs. The one place these names are parsed.
public enum BinpkgInstances {
    /// Suffixes of multi-instance files.
    public static let suffixes = [".xpak", ".gpkg.tar"]

    /// The directory of `cpv`'s instances, relative to a PKGDIR.
    public static func directory(_ cpv: CPV) -> String { "\(cpv.category)/\(cpv.package)" }

    /// The build id in `<pf>-N.xpak` / `<pf>-N.gpkg.tar` (N a positive number written plainly), nil for other names.
    public static func buildID(_ name: String, pf: String) -> Int? {
        for suffix in suffixes where name.hasSuffix(suffix) && name.hasPrefix(pf + "-") {
            let middle = name.dropFirst(pf.count + 1).dropLast(suffix.count)
            if let number = Int(middle), number > 0, String(number) == middle { return number }
        }
        return nil
    }

    /// Build id and file name of each of `names` that is an instance of `cpv`, oldest build id first.
    public static func parse(_ names: [String], cpv: CPV) -> [(id: Int, name: String)] {
        names.compactMap { name in buildID(name, pf: cpv.pf).map { ($0, name) } }.sorted { $0.id < $1.id }
    }

    /// The instances of `cpv` in a PKGDIR on the coordinator, oldest build id first.
    public static func local(pkgdir: String, cpv: CPV) -> [(id: Int, name: String)] {
        let directory = (pkgdir as NSString).appendingPathComponent(directory(cpv))
        return parse((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [], cpv: cpv)
    }

    /// Deletes instances of `cpv` that are empty files (a binpkg write that failed, e.g. for a missing compressor)
    /// and returns their PKGDIR-relative paths: such a file would otherwise pass for the newest build.
    @discardableResult
    public static func removeEmpty(pkgdir: String, cpv: CPV) -> [String] {
        local(pkgdir: pkgdir, cpv: cpv).compactMap { instance in
            let relative = "\(directory(cpv))/\(instance.name)"
            let path = (pkgdir as NSString).appendingPathComponent(relative)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0,
                  (try? FileManager.default.removeItem(atPath: path)) != nil else { return nil }
            return relative
        }
    }

    /// The PKGDIR-relative path of the instance `id` of `cat/pf` if the coordinator's PKGDIR has it.
    public static func existing(pkgdir: String, cpf: String, id: Int) -> String? {
        guard let cpv = CPV(cpf) else { return nil }
        return suffixes.map { "\(directory(cpv))/\(cpv.pf)-\(id)\($0)" }
            .first { FileManager.default.fileExists(atPath: (pkgdir as NSString).appendingPathComponent($0)) }
    }

    /// The CPV a binpkg's PKGDIR-relative path names (`cat/pn/pf-N.xpak`, `cat/pf.tbz2`), for files too damaged to read.
    public static func cpv(ofPath relative: String) -> CPV? {
        let parts = relative.split(separator: "/")
        guard let category = parts.first, let name = parts.last else { return nil }
        var stem = String(name)
        for suffix in BinpkgFile.extensions where stem.hasSuffix(suffix) { stem.removeLast(suffix.count) }
        if parts.count == 2 { return CPV("\(category)/\(stem)") }
        if let dash = stem.lastIndex(of: "-") {
            let pf = String(stem[..<dash])
            if buildID(String(name), pf: pf) != nil { return CPV("\(category)/\(pf)") }
        }
        return CPV("\(category)/\(stem)")
    }
}
