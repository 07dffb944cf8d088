import Foundation

/// Confines a binhost request to one class's PKGDIR: only `Packages` (and `Packages.gz`) and binpkg files (`.xpak`, `.tbz2`,
/// `.gpkg.tar`) under it, as plain relative segments after percent-decoding, and only when the resolved file
/// (symlinks followed) is a regular file inside the PKGDIR's own resolved path. Anything else is not found.
public enum BinhostPath {
    /// The file to serve for `relative` (the request path after `/binhost/<CLASS>/`, still percent-encoded), or nil.
    public static func resolve(_ relative: String, in pkgdir: String) -> String? {
        guard relative.utf8.count <= 1024, let decoded = relative.removingPercentEncoding else { return nil }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(segments.count), segments.allSatisfy(isPlainSegment), let name = segments.last,
              isIndexName(name) ? segments.count == 1 : isBinpkgName(name) && segments.count > 1 else { return nil }
        guard let file = confined(pkgdir + "/" + segments.joined(separator: "/"), inside: pkgdir) else { return nil }
        var status = stat()
        guard stat(file, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return file
    }

    /// A name that is neither empty, `.` nor `..`, and has no NUL, backslash or leading dot.
    static func isPlainSegment(_ segment: String) -> Bool {
        !segment.isEmpty && !segment.hasPrefix(".") && !segment.contains("\0") && !segment.contains("\\")
    }

    static func isIndexName(_ name: String) -> Bool { name == "Packages" || name == "Packages.gz" }

    static func isBinpkgName(_ name: String) -> Bool {
        [".xpak", ".tbz2", ".gpkg.tar"].contains { name.hasSuffix($0) }
    }

    /// The real path of `path` (symlinks resolved) when it exists and lies inside `directory`'s real path; else nil.
    static func confined(_ path: String, inside directory: String) -> String? {
        guard let base = realPath(directory), let file = realPath(path), file.hasPrefix(base + "/") else { return nil }
        return file
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
