import FarmModel
import Foundation

/// Regenerates a PKGDIR's `Packages` index the way Portage's binarytree does, re-reading only the binpkgs
/// whose size or mtime changed since the last index.
///
/// Both layouts: flat `cat/pf.tbz2` (and `cat/pf.gpkg.tar`) and multi-instance `cat/pn/pf-N.xpak`
/// (`cat/pn/pf-N.gpkg.tar`). Entries carry the keys Portage validates (`minimum_keys`), so emerge trusts
/// them and does not rewrite the index.
public struct PkgdirIndexer: Sendable {
    /// The PKGDIR.
    public let pkgdir: URL
    /// Header fields for an index that does not exist yet (e.g. `ARCH`, `CHOST`); `VERSION` is always set.
    public var newHeader: [PackagesField]
    /// Reads one binpkg's metadata (both formats by default).
    public var readMetadata: @Sendable (URL) throws -> BinpkgMetadata

    /// An indexer for `pkgdir`.
    public init(pkgdir: URL, newHeader: [PackagesField] = [],
                readMetadata: @escaping @Sendable (URL) throws -> BinpkgMetadata = BinpkgFile.metadata(of:)) {
        self.pkgdir = pkgdir
        self.newHeader = newHeader
        self.readMetadata = readMetadata
    }

    /// The `Packages` file.
    public var indexURL: URL { pkgdir.appendingPathComponent("Packages") }

    /// Builds the index from the existing one and the files on disk, without writing anything.
    public func scan() throws(PackagesIndexError) -> PkgdirScan {
        let existing = FileManager.default.fileExists(atPath: indexURL.path) ? try PackagesIndex(contentsOf: indexURL) : nil
        var previous: [String: PackagesBlock] = [:]
        for block in existing?.packages ?? [] {
            if let path = block.relativePath { previous[path] = block }
        }
        var scan = PkgdirScan(index: PackagesIndex(header: existing?.header ?? Self.header(newHeader), packages: []))
        for file in BinpkgFile.files(in: pkgdir) {
            if let block = previous.removeValue(forKey: file.relativePath),
               block["MTIME"] == String(file.mtime), block.size == file.size, block.cpv != nil {
                scan.index.packages.append(block)
                scan.kept += 1
                continue
            }
            do {
                let metadata = try readMetadata(pkgdir.appendingPathComponent(file.relativePath))
                var block = try Self.entry(for: file, metadata: metadata, pkgdir: pkgdir)
                for key in ["CHOST", "REPO"] where block[key] != nil && block[key] == scan.index.header[key] {
                    block.fields.removeAll { $0.key == key }  // inherited from the header, as Portage writes it
                }
                scan.index.packages.append(block)
                scan.read += 1
            } catch {
                scan.invalid.append(InvalidBinpkg(relativePath: file.relativePath, problem: error.problemText))
            }
        }
        scan.removed = previous.count
        scan.index.packages.sort(by: Self.portageOrder)
        return scan
    }

    /// Scans and writes `Packages` (and `Packages.gz` when one exists) if anything changed.
    @discardableResult
    public func regenerate() throws(PackagesIndexError) -> PkgdirScan {
        var scan = try scan()
        guard scan.changed || !FileManager.default.fileExists(atPath: indexURL.path) else { return scan }
        scan.index.header.set("PACKAGES", String(scan.index.packages.count))
        scan.index.header.set("TIMESTAMP", String(Int(Date().timeIntervalSince1970)))
        scan.index.header.fields.sort { $0.key < $1.key }
        try scan.index.write(to: indexURL)
        let gz = pkgdir.appendingPathComponent("Packages.gz")
        if FileManager.default.fileExists(atPath: gz.path) {
            try? FileManager.default.removeItem(at: gz)  // stale; Portage rewrites it with compress-index
        }
        scan.written = true
        return scan
    }

    static func header(_ fields: [PackagesField]) -> PackagesBlock {
        var header = PackagesBlock(fields: fields)
        if header["VERSION"] == nil { header.set("VERSION", "0") }
        return header
    }

    /// Portage's order: by category/package, then version, then build id.
    static func portageOrder(_ a: PackagesBlock, _ b: PackagesBlock) -> Bool {
        guard let x = a.parsedCPV, let y = b.parsedCPV else { return (a.cpv ?? "") < (b.cpv ?? "") }
        if x.cp != y.cp { return x.cp < y.cp }
        let order = CPV.compareVersions(x.version, y.version)
        if order != 0 { return order < 0 }
        return (a.buildID ?? 0) < (b.buildID ?? 0)
    }
}

/// What one index scan found.
public struct PkgdirScan: Sendable {
    /// The index as it should be.
    public var index: PackagesIndex
    /// Entries reused because size and mtime were unchanged.
    public var kept = 0
    /// Binpkgs whose metadata was read.
    public var read = 0
    /// Entries dropped because their file is gone.
    public var removed = 0
    /// Files that are not valid binpkgs (left out of the index, as Portage does).
    public var invalid: [InvalidBinpkg] = []
    /// Whether `regenerate()` wrote the index.
    public var written = false

    /// Whether the index on disk differs from `index`.
    public var changed: Bool { read > 0 || removed > 0 }
}

/// A file in PKGDIR that could not be indexed.
public struct InvalidBinpkg: Sendable, Hashable {
    /// The path relative to PKGDIR.
    public var relativePath: String
    /// What is wrong, naming the file.
    public var problem: String
}

extension PackagesBlock {
    /// Sets `key` to `value`, replacing an existing field in place or appending.
    public mutating func set(_ key: String, _ value: String) {
        if let index = fields.firstIndex(where: { $0.key == key }) {
            fields[index].value = value
        } else {
            fields.append(PackagesField(key: key, value: value))
        }
    }
}
