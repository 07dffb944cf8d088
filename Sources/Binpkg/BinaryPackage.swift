import Foundation

/// A binary package, xpak or gpkg, read natively: its format, every metadata key and, for gpkg, its container.
///
/// The format is detected from the content, never the name. Reading is synchronous (pread, libarchive,
/// libcrypto): call it off the cooperative pool. A package read from a file is reopened for each later pass
/// (`verify()`, `imageEntries()`, `extractImage(into:options:)`). Hostile input yields `BinpkgError`, never a
/// crash, and what is held in memory is bounded by `limits`.
public struct BinaryPackage: Sendable {
    /// The path (or, for in-memory data, the name given), used in every message.
    public let path: String
    /// xpak or gpkg, from the content.
    public let format: BinpkgFormat
    /// Every metadata key, one trailing newline trimmed from each value.
    public let metadata: BinpkgMetadata
    /// The metadata keys in stored order (XPAK index order, or `metadata.tar.*` member order).
    public let metadataKeys: [String]
    /// Each metadata value's raw bytes (e.g. `environment.bz2` is binary).
    public let rawMetadata: [String: Data]
    /// The image's compression: for xpak sniffed from the payload's first bytes as Portage does (nil when
    /// unrecognized); for gpkg from the `image.tar.*` name (nil when there is no image member).
    public let payloadCompression: PayloadCompression?
    /// The gpkg container (members, Manifest, signatures); nil for xpak.
    public let gpkg: GPKG?
    /// The bounds this package was read with, and later passes keep to.
    public let limits: BinpkgLimits

    let source: ByteSource
    /// xpak: where the payload ends (the bytes before `XPAKPACK`); 0 for gpkg.
    let xpakPayloadEnd: Int

    /// Reads the binary package at `url`.
    public init(contentsOf url: URL, limits: BinpkgLimits = BinpkgLimits()) throws(BinpkgError) {
        try self.init(source: .file(url), path: url.path, limits: limits)
    }

    /// Reads a binary package already in memory; `path` names it in messages.
    public init(data: Data, path: String, limits: BinpkgLimits = BinpkgLimits()) throws(BinpkgError) {
        try self.init(source: .memory(data), path: path, limits: limits)
    }

    private init(source: ByteSource, path: String, limits: BinpkgLimits) throws(BinpkgError) {
        self.source = source
        self.path = path
        self.limits = limits
        let reader = try ByteReader(source, path: path)
        if let listing = try GPKGListing.read(reader, limits: limits), listing.looksLikeGPKG {
            let (gpkg, raw) = try GPKG.read(listing, from: reader, limits: limits)
            format = .gpkg
            self.gpkg = gpkg
            metadataKeys = raw.keys
            rawMetadata = raw.values
            metadata = BinpkgMetadata(values: raw.values.mapValues { String(decoding: $0, as: UTF8.self) })
            payloadCompression = gpkg.imageMember.flatMap { PayloadCompression.splitMemberName($0)?.compression }
            xpakPayloadEnd = 0
            return
        }
        guard reader.size >= 4, try reader.bytes((reader.size - 4)..<reader.size).elementsEqual("STOP".utf8) else {
            throw BinpkgError(path: path, kind: .notABinpkg(reason: reader.size == 0 ? "the file is empty"
                : "it is neither a plain tar whose first member is <dir>/gpkg-1 nor a file ending in an XPAK trailer"))
        }
        let xpak = try Self.readTrailer(source, path: path, limits: limits)
        // The trailer parsed, so `<u32 length> STOP` at the end is valid; the payload is what precedes it.
        let lengthBytes = try reader.bytes((reader.size - 8)..<(reader.size - 4))
        guard lengthBytes.count == 4 else {
            throw BinpkgError(path: path, kind: .truncated(member: "the XPAK trailer", detail: "the file shrank while it was read"))
        }
        xpakPayloadEnd = max(0, reader.size - 8 - Int(bigEndian: lengthBytes, at: 0))
        format = .xpak
        gpkg = nil
        metadataKeys = xpak.keys
        rawMetadata = xpak.rawData
        metadata = BinpkgMetadata(xpak)
        payloadCompression = PayloadCompression.sniff(try reader.bytes(0..<min(512, xpakPayloadEnd)))
    }

    /// Parses the XPAK trailer at the end of the package.
    static func readTrailer(_ source: ByteSource, path: String, limits: BinpkgLimits) throws(BinpkgError) -> XPAK {
        do {
            switch source {
            case .file(let url): return try XPAK(contentsOf: url, maximumSize: limits.metadataBytes)
            case .memory(let data): return try XPAK(fileData: data, path: path, maximumSize: limits.metadataBytes)
            }
        } catch {
            throw BinpkgError(path: path, kind: .badTrailer(error))
        }
    }
}
