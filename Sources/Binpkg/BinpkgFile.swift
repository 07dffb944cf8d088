import Digests
import FarmModel
import Foundation

/// A binpkg file found in a PKGDIR: where it is and what `lstat` says about it.
public struct BinpkgFile: Sendable, Hashable {
    /// The file name endings Portage recognises.
    public static let extensions = [".tbz2", ".xpak", ".gpkg.tar"]

    /// The path relative to PKGDIR, e.g. `app-misc/fhsum/fhsum-1.0-1.xpak`.
    public var relativePath: String
    /// Size in bytes.
    public var size: Int
    /// Modification time in whole seconds, as Portage records it (`MTIME`).
    public var mtime: Int

    /// Every regular binpkg file under `pkgdir` (hidden directories skipped), sorted by path.
    public static func files(in pkgdir: URL) -> [BinpkgFile] {
        let root = pkgdir.path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var found: [BinpkgFile] = []
        while let relative = walker.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            if name.hasPrefix(".") {
                walker.skipDescendants()
                continue
            }
            guard extensions.contains(where: { name.hasSuffix($0) }) else { continue }
            var info = stat()
            guard lstat((root as NSString).appendingPathComponent(relative), &info) == 0,
                  info.st_mode & S_IFMT == S_IFREG else { continue }
            found.append(BinpkgFile(relativePath: relative, size: Int(info.st_size), mtime: Int(info.st_mtim.tv_sec)))
        }
        return found.sorted { $0.relativePath < $1.relativePath }
    }

    /// The metadata of the binpkg at `url`, xpak or gpkg (detected from the content).
    public static func metadata(of url: URL) throws -> BinpkgMetadata {
        try BinaryPackage(contentsOf: url).metadata
    }
}

extension PkgdirIndexer {
    /// The keys Portage keeps per package (its `_aux_cache_keys`), in its internal names.
    static let indexedKeys: Set<String> = [
        "BDEPEND", "BUILD_ID", "BUILD_TIME", "CHOST", "DEFINED_PHASES", "DEPEND", "EAPI", "IDEPEND", "IUSE",
        "KEYWORDS", "LICENSE", "PDEPEND", "PROPERTIES", "PROVIDES", "RDEPEND", "repository", "REQUIRES",
        "RESTRICT", "SLOT", "USE", "USER_PATCHES",
    ]
    /// Keys whose USE conditionals Portage evaluates before writing them.
    static let useEvaluatedKeys: Set<String> = ["BDEPEND", "DEPEND", "IDEPEND", "LICENSE", "RDEPEND", "PDEPEND", "PROPERTIES", "RESTRICT"]
    /// Values Portage leaves out because they are the default.
    static let defaults: [String: String] = ["EAPI": "0", "SLOT": "0"]
    /// Internal names Portage writes under another name.
    static let translated: [String: String] = ["_mtime_": "MTIME", "repository": "REPO", "DESCRIPTION": "DESC"]

    /// The index block Portage would write for `file`, after checking its name against its metadata.
    static func entry(for file: BinpkgFile, metadata: BinpkgMetadata, pkgdir: URL) throws -> PackagesBlock {
        let where_ = pkgdir.appendingPathComponent(file.relativePath).path
        func invalid(_ why: String) -> BinpkgIndexError { BinpkgIndexError(path: where_, problem: why) }
        guard let category = metadata.category, let pf = metadata.pf, !category.isEmpty, !pf.isEmpty,
              let slot = metadata.slot, !slot.isEmpty, let cpv = CPV("\(category)/\(pf)") else {
            throw invalid("its metadata lacks a valid CATEGORY, PF or SLOT")
        }
        let directory = (file.relativePath as NSString).deletingLastPathComponent
        let name = (file.relativePath as NSString).lastPathComponent
        var buildID = metadata.buildID
        if let number = BinpkgInstances.buildID(name, pf: pf) {
            guard directory == "\(cpv.category)/\(cpv.package)" else {
                throw invalid("a multi-instance binpkg of \(cpv) must be in \(cpv.category)/\(cpv.package)/")
            }
            buildID = metadata.buildID ?? number  // Portage: the metadata's BUILD_ID wins over the name
        } else {
            guard name == "\(pf).tbz2" || name == "\(pf).gpkg.tar" else {
                throw invalid("the file name does not match its metadata (\(cpv)); expected \(pf)-N.xpak, \(pf).tbz2 or \(pf)[-N].gpkg.tar")
            }
            guard directory == category || directory == "All" else {
                throw invalid("a binpkg of \(cpv) must be in \(category)/")
            }
        }
        let use = metadata.use
        var values: [String: String] = [:]
        for key in indexedKeys {
            guard var value = metadata[key].map(Self.collapse), !value.isEmpty else { continue }
            if useEvaluatedKeys.contains(key) {
                guard let reduced = DependencyReduction.reduce(value, use: use) else {
                    throw invalid("its \(key) has unbalanced parentheses")
                }
                value = reduced
            }
            if defaults[key] != value { values[key] = value }
        }
        if let buildID { values["BUILD_ID"] = String(buildID) }
        let digests = try Digest.hex([.md5, .sha1], ofFile: pkgdir.appendingPathComponent(file.relativePath))
        values["MD5"] = digests[.md5]
        values["SHA1"] = digests[.sha1]
        values["CPV"] = cpv.description
        values["SIZE"] = String(file.size)
        values["_mtime_"] = String(file.mtime)
        values["PATH"] = file.relativePath
        return PackagesBlock(fields: values.keys.sorted().map { PackagesField(key: translated[$0] ?? $0, value: values[$0]!) })
    }

    static func collapse(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
}

/// A binpkg that cannot be indexed: its name or metadata is wrong.
public struct BinpkgIndexError: UserFacingError, Hashable {
    /// The binpkg.
    public var path: String
    /// What is wrong.
    public var problem_: String

    init(path: String, problem: String) {
        self.path = path
        problem_ = problem
    }

    public var problem: String { "\(path): \(problem_)" }
    public var fix: String { "rename the file to what its metadata says, or delete it and rebuild the package" }
}
