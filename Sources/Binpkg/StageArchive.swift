import Foundation

/// A stage tarball (`stage3-*.tar.xz` and the like): a whole root filesystem, listed and extracted with the same
/// rules as a binary package's image. Names are relative to the root; absolute names, `..`, links that climb out
/// and writes through links are refused. Device nodes and owners are kept (a root needs both).
public struct StageArchive: Sendable {
    /// The tarball's path, used in every message.
    public let path: String
    /// The compression, from the first bytes (`.uncompressed` for a bare tar).
    public let compression: PayloadCompression
    /// The bounds every pass keeps to.
    public let limits: BinpkgLimits

    /// Opens the tarball at `url`; throws `unreadable` or `notABinpkg` (not a tarball) naming it.
    public init(contentsOf url: URL, limits: BinpkgLimits = BinpkgLimits()) throws(BinpkgError) {
        path = url.path
        self.limits = limits
        let reader = try ByteReader(.file(url), path: url.path)
        guard let compression = PayloadCompression.sniff(try reader.bytes(0..<min(512, reader.size))) else {
            throw BinpkgError(path: url.path, kind: .notATarball)
        }
        self.compression = compression
    }

    /// Extracts the stage into `directory` (absent or empty), all or nothing, with device nodes and numeric owners.
    public func extract(into directory: URL) throws(BinpkgError) -> ExtractionReport {
        try TarExtraction(path: path, options: ExtractionOptions(allowDeviceNodes: true, preserveOwnership: true))
            .extract(into: directory) { body throws(BinpkgError) in try walk(body) }
    }

    private func walk(_ body: (ImageEntry, ImageLocation, ArchiveReader) throws(BinpkgError) -> Void) throws(BinpkgError) {
        let reader = try ByteReader(.file(URL(fileURLWithPath: path)), path: path)
        let archive = try ArchiveReader(reader, range: 0..<reader.size, compression: compression, member: "the tarball")
        archive.byteLimit = limits.imageBytes
        try TarWalk(path: path, naming: .stage, maximumEntries: limits.imageEntries).run(archive, body)
    }
}
