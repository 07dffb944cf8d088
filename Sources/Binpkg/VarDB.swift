import Foundation

/// Portage's package database of a root (`<root>/var/db/pkg/<category>/<pf>/`), as farmctl reads it.
public enum VarDB {
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
}
