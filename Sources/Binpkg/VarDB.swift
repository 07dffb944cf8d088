import FarmModel
import Foundation

/// Portage's package database of a root (`<root>/var/db/pkg/<category>/<pf>/`), as farmctl reads it.
public enum VarDB {
    /// The vardb of the root at `root`: `<root>/var/db/pkg`.
    public static func path(ofRoot root: String) -> String { (root as NSString).appendingPathComponent("var/db/pkg") }

    /// True when the root at `root` has `cpv` installed.
    public static func holds(_ cpv: CPV, root: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(path(ofRoot: root))/\(cpv.category)/\(cpv.pf)")
    }

    /// What a vardb (`…/var/db/pkg`) on the coordinator holds: `cat/pf` → BUILD_ID (0 when it has none).
    public static func installed(_ vardb: String) -> [String: Int] {
        let fm = FileManager.default
        var result: [String: Int] = [:]
        for category in (try? fm.contentsOfDirectory(atPath: vardb)) ?? [] {
            let categoryPath = (vardb as NSString).appendingPathComponent(category)
            for pf in (try? fm.contentsOfDirectory(atPath: categoryPath)) ?? [] where !pf.hasPrefix("-MERGING-") {
                let text = try? String(contentsOfFile: "\(categoryPath)/\(pf)/BUILD_ID", encoding: .utf8)
                result["\(category)/\(pf)"] = Int(text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            }
        }
        return result
    }

    /// Parses `cat/pf BUILD_ID` lines, a vardb listed by a worker's shell (a missing id reads as 0).
    public static func parseListing(_ text: String) -> [String: Int] {
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard let first = parts.first else { continue }
            result[String(first)] = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        }
        return result
    }
}
