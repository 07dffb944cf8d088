import Foundation

/// Digests over directory trees: by content (an overlay, a module's sources, a seed stage directory) or by
/// metadata only (a whole ebuild repository, where reading every file would cost seconds on each run).
public enum TreeDigest {
    /// SHA-256 over every entry's relative path, mode, link target and content (the empty digest for nil).
    public static func compute(_ overlay: String?) throws -> String {
        guard let overlay else { return try Digest.hex(.sha256, of: Data()) }
        let fm = FileManager.default
        var text = Data()
        let entries = (fm.enumerator(atPath: overlay)?.allObjects as? [String] ?? []).sorted()
        for relative in entries {
            let path = (overlay as NSString).appendingPathComponent(relative)
            let attributes = try fm.attributesOfItem(atPath: path)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            text.append(Data("\(relative)\0\(mode)\0".utf8))
            if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
                text.append(Data(try fm.destinationOfSymbolicLink(atPath: path).utf8))
            } else if attributes[.type] as? FileAttributeType == .typeRegular {
                text.append(Data(try Digest.hex(.sha256, ofFile: URL(fileURLWithPath: path)).utf8))
            }
            text.append(0)
        }
        return try Digest.hex(.sha256, of: text)
    }

    /// SHA-256 over every entry's path, mode, size, mtime (ns) and link target, not its content: cheap enough for
    /// a whole Gentoo tree, and any edit, sync or checkout changes it. A top-level `.git` is skipped.
    public static func metadataStamp(_ root: String) throws -> String {
        var lines: [String] = []
        try walk(root, relative: "", into: &lines)
        lines.sort()
        return try Digest.hex(.sha256, of: Data(lines.joined(separator: "\n").utf8))
    }

    /// A directory that could not be listed while stamping.
    public struct UnreadableDirectory: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "cannot read \(path): \(reason)" }
    }

    private static func walk(_ directory: String, relative: String, into lines: inout [String]) throws {
        guard let handle = opendir(directory) else {
            throw UnreadableDirectory(path: directory, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." || (relative.isEmpty && name == ".git") { continue }
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }  // vanished while walking
            let kind = info.st_mode & S_IFMT
            var line = "\(rel)\t\(info.st_mode)\t\(info.st_size)\t\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            if kind == S_IFLNK {
                line += "\t" + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "")
            }
            lines.append(line)
            if kind == S_IFDIR { try walk(path, relative: rel, into: &lines) }
        }
    }
}
