import Foundation

/// One entry of a binary package's image: a path relative to the image root with its tar header fields.
public struct ImageEntry: Sendable, Hashable {
    /// What the entry creates.
    public enum EntryType: String, Sendable, Hashable, CaseIterable {
        case file, directory, symlink, hardlink, characterDevice, blockDevice, fifo
    }

    /// The path below the image root, without gpkg's `image/` or xpak's `./`, e.g. `usr/bin/q`.
    public var path: String
    /// What it is.
    public var type: EntryType
    /// Permission bits including setuid, setgid and sticky, e.g. `0o4755`.
    public var mode: UInt32
    /// The data size in bytes (0 for everything but files).
    public var size: Int
    /// A symlink's target verbatim; a hardlink's target as a path below the image root.
    public var linkTarget: String?
    /// Numeric owner and group as recorded.
    public var uid: Int
    public var gid: Int
    /// Owner and group names as recorded, if any.
    public var uname: String?
    public var gname: String?
    /// Modification time, seconds since the epoch.
    public var modificationTime: Int
}

/// An image entry's resolved path and, for a hardlink, its resolved target.
struct ImageLocation {
    var path: ImagePath
    var hardlinkTarget: ImagePath?
    var symlinkTarget: [UInt8]?
}

extension BinaryPackage {
    /// Lists the image (gpkg `image.tar.*`, xpak payload) without extracting it; the root entry is left out.
    ///
    /// Throws `hostileEntry` for names that cannot lie under the root (`..`, a gpkg absolute path or a name
    /// outside `image/`), and `tooLarge` past `limits.imageEntries` entries.
    public func imageEntries() throws(BinpkgError) -> [ImageEntry] {
        var entries: [ImageEntry] = []
        try walkImage { entry, _, _ in entries.append(entry) }
        return entries
    }

    /// Reads the image's headers in order and hands each non-root entry to `body`, which may read its data.
    func walkImage(_ body: (ImageEntry, ImageLocation, ArchiveReader) throws(BinpkgError) -> Void) throws(BinpkgError) {
        let reader = try ByteReader(source, path: path)
        try TarWalk(path: path, naming: format == .gpkg ? .gpkg : .xpak, maximumEntries: limits.imageEntries)
            .run(try openImage(reader), body)
    }

    /// Opens the image tar for one pass: the xpak payload (the bytes before `XPAKPACK` only: a trailer after a
    /// bzip2 or zstd stream is garbage to the decompressor) or the gpkg `image.tar.*` member.
    func openImage(_ reader: ByteReader) throws(BinpkgError) -> ArchiveReader {
        let archive = try openImageArchive(reader)
        archive.byteLimit = limits.imageBytes
        return archive
    }

    private func openImageArchive(_ reader: ByteReader) throws(BinpkgError) -> ArchiveReader {
        switch format {
        case .xpak:
            guard let compression = payloadCompression else {
                throw BinpkgError(path: path, kind: .corruptArchive(
                    member: "payload", message: "compression header unrecognized (Portage would refuse it too)"))
            }
            return try ArchiveReader(reader, range: 0..<xpakPayloadEnd, compression: compression, member: "payload")
        case .gpkg:
            guard let gpkg, let name = gpkg.imageMember, let member = gpkg.member(named: name) else {
                throw BinpkgError(path: path, kind: .missingMember("image.tar.*"))
            }
            try GPKG.requirePresent(member, in: reader)
            return try ArchiveReader(reader, range: member.dataRange, compression: GPKG.compression(of: member),
                                     member: member.baseName)
        }
    }
}
