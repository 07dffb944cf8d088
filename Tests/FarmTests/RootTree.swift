import Digests
import Foundation
import Binpkg
import TestSupport

/// Every entry of a root filesystem: type, permissions, and content digest or link target, by relative path.
/// Portage's per-merge bookkeeping is left out, as it differs between any two installs of the same binpkgs:
/// the merge counter (`var/cache/edb/counter`, each package's `COUNTER`), the resume state `var/cache/edb/mtimedb`,
/// and in each package's `metadata` cache its `COUNTER=` and `#dir_mtime=` lines.
struct RootTree {
    var entries: [String: String] = [:]

    /// The `cat/pf` entries of a root's var/db/pkg.
    static func installedPackages(_ root: URL) throws -> [String] {
        let vdb = root.appendingPathComponent("var/db/pkg")
        return try FileManager.default.contentsOfDirectory(atPath: vdb.path).flatMap { category in
            try FileManager.default.contentsOfDirectory(atPath: vdb.appendingPathComponent(category).path)
                .filter { !$0.hasPrefix(".") && !$0.hasPrefix("-MERGING") }.map { "\(category)/\($0)" }
        }
    }

    static let volatile: Set<String> = ["var/cache/edb/counter", "var/cache/edb/mtimedb"]

    init(_ root: URL) throws {
        let fm = FileManager.default
        let base = root.path
        guard let walker = fm.enumerator(atPath: base) else { return }
        while let relative = walker.nextObject() as? String {
            if Self.volatile.contains(relative) || relative.hasPrefix("var/db/pkg/") && relative.hasSuffix("/COUNTER") { continue }
            let path = (base as NSString).appendingPathComponent(relative)
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            switch info.st_mode & S_IFMT {
            case S_IFLNK: entries[relative] = "link \(try fm.destinationOfSymbolicLink(atPath: path))"
            case S_IFDIR: entries[relative] = "dir \(mode)"
            default:
                var data = try Data(contentsOf: URL(fileURLWithPath: path))
                if relative.hasPrefix("var/db/pkg/"), relative.hasSuffix("/metadata") {
                    let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("COUNTER=") && !$0.hasPrefix("#dir_mtime=") }
                    data = Data(lines.joined(separator: "\n").utf8)
                }
                entries[relative] = "file \(mode) \(try Digest.hex(.sha256, of: data))"
            }
        }
    }

    /// The paths whose entries differ, with both sides.
    func differences(from other: RootTree) -> [String] {
        Set(entries.keys).union(other.entries.keys).sorted().compactMap { path in
            entries[path] == other.entries[path] ? nil : "\(path): \(entries[path] ?? "absent") vs \(other.entries[path] ?? "absent")"
        }
    }
}
