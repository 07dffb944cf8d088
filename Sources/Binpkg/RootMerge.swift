import Digests
import FarmModel
import Foundation

/// Merges extracted binpkg images into a root and records each in the root's vdb as Portage's `dblink` does:
/// every metadata key as a file, `CONTENTS` (`dir`, `obj path md5 mtime`, `sym path -> target mtime`, `fif`, `dev`),
/// `COUNTER` from `var/cache/edb/counter`, `BINPKGMD5`, and the consolidated `metadata` file Portage 3.0.8x reads
/// first. Files keep the image's modes, owners and mtimes (moved by rename, never copied). A file another package
/// of the root owns is a collision (refused, as Portage's default `protect-owned` does); a file under
/// `CONFIG_PROTECT` that exists with other content is written as `._cfg0000_<name>` beside it.
public struct RootMerge {
    public let root: String
    let protect: [String]
    let mask: [String]
    /// Every path a package of the root owns (from its CONTENTS) → `cat/pf`.
    private var owners: [String: String] = [:]
    private var counter: Int

    /// Opens `root` for merging; `protect` and `mask` are `CONFIG_PROTECT` and `CONFIG_PROTECT_MASK` as Portage has them.
    public init(root: String, protect: [String], mask: [String]) throws {
        self.root = root
        self.protect = protect.map(Self.directoryPrefix)
        self.mask = mask.map(Self.directoryPrefix)
        counter = Int((try? String(contentsOfFile: root + "/" + Self.counterFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        let vdb = VarDB.path(ofRoot: root)
        for package in VarDB.installed(vdb).keys {
            for entry in Self.contents(of: "\(vdb)/\(package)") { owners[entry.path] = package }
            let own = Int((try? String(contentsOfFile: "\(vdb)/\(package)/COUNTER", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            counter = max(counter, own)
        }
    }

    static let counterFile = "var/cache/edb/counter"

    /// One line of a vdb CONTENTS file.
    public struct ContentsEntry: Hashable, Sendable {
        public var kind: String
        public var path: String
        public var md5: String?
        public var target: String?
    }

    /// Merges the image extracted at `image` (emptied as it goes) as package `cpv` with metadata `metadata`; an
    /// installed version of the same package and slot (`replacing`, `cat/pf`) loses the files the new one lacks.
    public mutating func merge(image: String, cpv: CPV, metadata: [String: Data], binpkgMD5: String,
                               replacing: String? = nil) throws {
        let package = "\(cpv.category)/\(cpv.pf)"
        var lines: [String] = []
        var merged: [String: String] = [:]
        try walk(image, relative: "") { relative, info in
            let path = "/" + relative
            let source = image + path
            let destination = root + path
            var existing = stat()
            let exists = lstat(destination, &existing) == 0
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR {
                if !exists {
                    guard mkdir(destination, info.st_mode & 0o7777) == 0, lchown(destination, info.st_uid, info.st_gid) == 0,
                          chmod(destination, info.st_mode & 0o7777) == 0 else { throw failure("cannot create the directory", destination) }
                } else if existing.st_mode & S_IFMT != S_IFDIR && !Self.isDirectory(destination) {
                    throw Problem(problem: "\(package): \(path) is a directory in the image but not in the root \(root)",
                                  fix: "remove \(destination) from the root's overlay or stage, or assemble with [farm] merger = \"emerge\"")
                }
                lines.append("dir \(path)")
                return true
            }
            if exists, existing.st_mode & S_IFMT == S_IFDIR {
                throw Problem(problem: "\(package): \(path) is a directory in the root \(root) but not in the image",
                              fix: "assemble with [farm] merger = \"emerge\" to see how Portage resolves it")
            }
            if exists, let owner = owners[path], owner != package, owner != replacing {
                throw Problem(problem: "\(package): file collision: \(path) is also installed by \(owner)",
                              fix: "keep only one of the two packages in the class's package set, or block one in the other's ebuild")
            }
            var target = destination
            var md5: String?
            if kind == S_IFREG {
                md5 = try Digest.hex(.md5, ofFile: URL(fileURLWithPath: source))
                if exists, owners[path] == nil || owners[path] != replacing, isProtected(path),
                   existing.st_mode & S_IFMT != S_IFREG || (try? Digest.hex(.md5, ofFile: URL(fileURLWithPath: destination))) != md5 {
                    target = Self.protectedName(destination)
                }
            }
            guard rename(source, target) == 0 else { throw failure("cannot move into place", target) }
            let seconds = info.st_mtim.tv_sec
            switch kind {
            case S_IFREG: lines.append("obj \(path) \(md5!) \(seconds)")
            case S_IFLNK: lines.append("sym \(path) -> \((try? FileManager.default.destinationOfSymbolicLink(atPath: target)) ?? "") \(seconds)")
            case S_IFIFO: lines.append("fif \(path)")
            default: lines.append("dev \(path)")
            }
            merged[path] = package
            return false
        }
        if let replacing { try unmerge(replacing, keeping: Set(merged.keys), entryReplaced: replacing == package) }
        counter += 1
        try writeEntry(package, metadata: metadata, contents: lines, binpkgMD5: binpkgMD5)
        owners.merge(merged) { _, new in new }
        for line in lines where line.hasPrefix("dir ") { owners[String(line.dropFirst(4))] = owners[String(line.dropFirst(4))] ?? package }
    }

    /// Removes installed package `package` (`cat/pf`) as Portage unmerges: its files and symlinks (not those in
    /// `keeping`, nor files under CONFIG_PROTECT, nor a file whose content is no longer what it installed), then its
    /// directories that are left empty, then its vdb entry.
    public mutating func unmerge(_ package: String, keeping: Set<String> = [], entryReplaced: Bool = false) throws {
        let entry = "\(VarDB.path(ofRoot: root))/\(package)"
        let entries = Self.contents(of: entry)
        for item in entries where !keeping.contains(item.path) && owners[item.path] == package {
            let path = root + item.path
            switch item.kind {
            case "obj":
                guard !isProtected(item.path), (try? Digest.hex(.md5, ofFile: URL(fileURLWithPath: path))) == item.md5 else { continue }
                unlink(path)
            case "sym":
                var info = stat()
                if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { unlink(path) }
            case "fif", "dev": unlink(path)
            default: break
            }
            owners[item.path] = nil
        }
        for item in entries.filter({ $0.kind == "dir" && !keeping.contains($0.path) }).sorted(by: { $0.path.count > $1.path.count }) {
            rmdir(root + item.path)  // fails, as it should, when something else is in it
            if owners[item.path] == package { owners[item.path] = nil }
        }
        if !entryReplaced { try FileManager.default.removeItem(atPath: entry) }
    }

    /// Writes the counter file and the `world` file (`atoms` added, sorted) once all packages are merged.
    public func finish(addingToWorld atoms: [String]) throws {
        // The directories emerge makes in every root it merges into, with its modes.
        for (directory, mode) in [("var/cache/edb", 0o755), ("var/lib/portage", 0o2755), ("var/lib/gentoo/news", 0o775), ("var/tmp", 0o1777)] {
            let path = root + "/" + directory
            guard !Self.isDirectory(path) else { continue }
            try makeDirectories(path)
            chmod(path, mode_t(mode))
        }
        try Self.write(Data("\(counter)".utf8), to: root + "/" + Self.counterFile)
        let world = root + "/var/lib/portage/world"
        let old = ((try? String(contentsOfFile: world, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        let all = Set(old + atoms.filter { !$0.hasPrefix("@") }).sorted()
        try Self.write(Data(all.map { $0 + "\n" }.joined().utf8), to: world)
    }

    /// The vdb entry, written beside its place as `-MERGING-<pf>` and renamed into it.
    private func writeEntry(_ package: String, metadata: [String: Data], contents: [String], binpkgMD5: String) throws {
        let vdb = VarDB.path(ofRoot: root)
        let parts = package.split(separator: "/", maxSplits: 1)
        let category = "\(vdb)/\(parts[0])"
        let temporary = "\(category)/-MERGING-\(parts[1])"
        let fm = FileManager.default
        try? fm.removeItem(atPath: temporary)
        try makeDirectories(temporary)
        var files = metadata
        files["COUNTER"] = Data("\(counter)".utf8)
        files["BINPKGMD5"] = Data((binpkgMD5 + "\n").utf8)
        files["CONTENTS"] = Data(contents.map { $0 + "\n" }.joined().utf8)
        for (name, data) in files where !name.contains("/") && !name.isEmpty {
            try Self.write(data, to: "\(temporary)/\(name)")
        }
        let final = "\(vdb)/\(package)"
        try? fm.removeItem(atPath: final)
        try fm.moveItem(atPath: temporary, toPath: final)
        // Portage's consolidated metadata: the fields it caches, whitespace-normalised, sorted, then the directory's
        // mtime (stamped last: the reader rejects a file whose stamp is not the directory's).
        var body = "#format=1\n"
        for key in Self.metadataFields.sorted() {
            guard let data = files[key] else { continue }
            body += "\(key)=\(String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " "))\n"
        }
        try Self.write(Data(body.utf8), to: "\(final)/metadata")
        var info = stat()
        guard stat(final, &info) == 0 else { throw failure("cannot stat", final) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(final)/metadata"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("#dir_mtime=\(Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))\n".utf8))
    }

    /// The fields Portage's vartree caches in `metadata` (`_METADATA_FILE_FIELDS`, format 1).
    static let metadataFields = ["BDEPEND", "BUILD_ID", "BUILD_TIME", "CHOST", "COUNTER", "DEFINED_PHASES", "DEPEND", "DESCRIPTION",
                                 "EAPI", "HOMEPAGE", "IDEPEND", "IUSE", "KEYWORDS", "LICENSE", "PDEPEND", "PROPERTIES", "PROVIDES",
                                 "RDEPEND", "REQUIRES", "RESTRICT", "SLOT", "USE", "repository"]

    /// A vdb entry's CONTENTS.
    public static func contents(of entry: String) -> [ContentsEntry] {
        guard let text = try? String(contentsOfFile: entry + "/CONTENTS", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            let kind = String(parts[0])
            var rest = String(parts[1])
            switch kind {
            case "obj":
                let fields = rest.split(separator: " ")
                guard fields.count >= 3 else { return nil }
                return ContentsEntry(kind: kind, path: fields.dropLast(2).joined(separator: " "), md5: String(fields[fields.count - 2]))
            case "sym":
                guard let arrow = rest.range(of: " -> ") else { return nil }
                let path = String(rest[..<arrow.lowerBound])
                rest = String(rest[arrow.upperBound...])
                return ContentsEntry(kind: kind, path: path, target: rest.split(separator: " ").dropLast().joined(separator: " "))
            default:
                return ContentsEntry(kind: kind, path: rest)
            }
        }
    }

    func isProtected(_ path: String) -> Bool {
        let matches = { (prefixes: [String]) in prefixes.filter { path.hasPrefix($0) || path + "/" == $0 }.map(\.count).max() }
        guard let protected = matches(protect) else { return false }
        return (matches(mask) ?? -1) < protected
    }

    /// `._cfg0000_name` beside `path`, the first number not taken (Portage's `new_protect_filename`).
    static func protectedName(_ path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        var index = 0
        while FileManager.default.fileExists(atPath: "\(directory)/._cfg\(String(format: "%04d", index))_\(name)") { index += 1 }
        return "\(directory)/._cfg\(String(format: "%04d", index))_\(name)"
    }

    /// Writes `data` to `path` (replacing it by rename) with mode 0644, whatever the process's umask is (Portage runs
    /// with umask 022; a thread of this process may have it at 0 for a moment, as libarchive's disk writer does).
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".farmctl-new"
        guard FileManager.default.createFile(atPath: temporary, contents: data), chmod(temporary, 0o644) == 0,
              rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Problem(problem: "cannot write \(path): \(String(cString: strerror(errno)))", fix: "check the free space and permissions there")
        }
    }

    /// Makes `path` and its missing parents with mode 0755 (never the umask's), as Portage's vdb directories are.
    func makeDirectories(_ path: String) throws {
        var missing: [String] = []
        var current = path
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST, chmod(directory, 0o755) == 0 else {
                throw failure("cannot create the directory", directory)
            }
        }
    }

    static func directoryPrefix(_ path: String) -> String { path.hasSuffix("/") ? path : path + "/" }

    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    private func failure(_ what: String, _ path: String) -> Problem {
        Problem(problem: "merging into \(root): \(what) \(path): \(String(cString: strerror(errno)))",
                fix: "check the free space and permissions under \(root)")
    }

    /// Walks `directory` depth-first in name order; `body` gets each entry's path relative to it and its lstat, and
    /// returns true to descend (directories).
    private func walk(_ directory: String, relative: String, _ body: (String, stat) throws -> Bool) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        for name in names {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            if try body(rel, info) { try walk(path, relative: rel, body) }
        }
    }
}
