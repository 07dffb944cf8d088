import CArchive

/// The two binary package formats Portage writes, told apart by content, never by file name.
public enum BinpkgFormat: String, Sendable, Hashable, CaseIterable {
    /// A compressed tar followed by an XPAK metadata trailer (`.tbz2`, `.xpak`): `… XPAKSTOP <len> STOP`.
    case xpak
    /// GLEP 78: a plain tar of `<dir>/gpkg-1`, `<dir>/metadata.tar.*`, `<dir>/image.tar.*`, `<dir>/Manifest`.
    case gpkg
}

/// How an xpak payload or a gpkg `metadata`/`image` member is compressed.
public enum PayloadCompression: String, Sendable, Hashable, CaseIterable {
    /// A bare tar (`"none"`; not `none`, which would read as nil where the compression is optional).
    case uncompressed = "none"
    case gzip, bzip2, xz, lz4, lzip, lzop, zstd

    /// The ending after `.tar` in a gpkg member name, as Portage's `gpkg.ext_list` has it (`""` for none).
    public var gpkgSuffix: String {
        switch self {
        case .uncompressed: ""
        case .gzip: ".gz"
        case .bzip2: ".bz2"
        case .xz: ".xz"
        case .lz4: ".lz4"
        case .lzip: ".lz"
        case .lzop: ".lzo"
        case .zstd: ".zst"
        }
    }

    /// libarchive's filter code.
    var filterCode: Int32 {
        switch self {
        case .uncompressed: ARCHIVE_FILTER_NONE
        case .gzip: ARCHIVE_FILTER_GZIP
        case .bzip2: ARCHIVE_FILTER_BZIP2
        case .xz: ARCHIVE_FILTER_XZ
        case .lz4: ARCHIVE_FILTER_LZ4
        case .lzip: ARCHIVE_FILTER_LZIP
        case .lzop: ARCHIVE_FILTER_LZOP
        case .zstd: ARCHIVE_FILTER_ZSTD
        }
    }

    /// The compression of a payload from its first bytes, as Portage's `compression_probe` decides
    /// (`portage/util/compression_probe.py`; bzip2 with any block size), `.uncompressed` for a bare tar, nil when unknown.
    static func sniff(_ head: [UInt8]) -> PayloadCompression? {
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts([0x42, 0x5a, 0x68]), head.count > 3, (0x31...0x39).contains(head[3]) { return .bzip2 }
        if starts([0x1f, 0x8b]) { return .gzip }
        if starts([0x04, 0x22, 0x4d, 0x18]) || starts([0x02, 0x21, 0x4c, 0x18]) { return .lz4 }
        if starts(Array("LZIP".utf8)) { return .lzip }
        if starts([0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]) { return .lzop }
        if starts([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) { return .xz }
        if head.count >= 4, (0x22...0x28).contains(head[0]), head[1...3].elementsEqual([0xb5, 0x2f, 0xfd]) { return .zstd }
        if head.count >= 262, head[257..<262].elementsEqual("ustar".utf8) { return .uncompressed }
        return nil
    }

    /// Splits a gpkg member's base name `<stem>.tar[<suffix>]` into stem and compression, as Portage's
    /// `_extract_filename_compression` does; nil when the name has no `.tar` ending Portage knows.
    static func splitMemberName(_ name: String) -> (stem: String, compression: PayloadCompression)? {
        for compression in allCases {
            let ending = ".tar" + compression.gpkgSuffix
            if name.hasSuffix(ending) { return (String(name.dropLast(ending.count)), compression) }
        }
        return nil
    }
}
