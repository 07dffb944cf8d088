import Foundation

/// One pass over a tar stream's headers: each name resolved by a naming rule (refused when it cannot lie under
/// the root) and handed on with its entry. Shared by binary package images and stage tarballs.
struct TarWalk {
    /// The file read, for messages.
    let path: String
    let naming: ImagePath.Naming
    let maximumEntries: Int

    /// Reads the headers in order and hands each non-root entry to `body`, which may read its data.
    func run(_ archive: ArchiveReader, _ body: (ImageEntry, ImageLocation, ArchiveReader) throws(BinpkgError) -> Void)
        throws(BinpkgError)
    {
        var count = 0
        while let raw = try archive.next() {
            count += 1
            guard count <= maximumEntries else {
                throw BinpkgError(path: path, kind: .tooLarge(what: "entries in \(archive.member)", limit: maximumEntries))
            }
            let (entry, location) = try resolve(raw)
            if location.path.components.isEmpty { continue }
            try body(entry, location, archive)
        }
    }

    /// The entry and its resolved paths, or `hostileEntry` naming it.
    func resolve(_ raw: RawEntry) throws(BinpkgError) -> (ImageEntry, ImageLocation) {
        func refuse(_ reason: String) -> BinpkgError {
            BinpkgError(path: path, kind: .hostileEntry(entry: raw.pathText, reason: reason))
        }
        let location: ImageLocation
        do {
            location = ImageLocation(
                path: try ImagePath(tarName: raw.pathBytes, naming: naming),
                hardlinkTarget: try raw.hardlinkBytes.map { (bytes) throws(ImagePath.Refusal) in
                    try ImagePath(tarName: bytes, naming: naming)
                },
                symlinkTarget: raw.fileType == S_IFLNK ? raw.symlinkBytes ?? [] : nil)
        } catch {
            throw refuse(error.reason)
        }
        let type: ImageEntry.EntryType
        switch raw.fileType {
        case _ where location.hardlinkTarget != nil: type = .hardlink
        case S_IFREG: type = .file
        case S_IFDIR: type = .directory
        case S_IFLNK: type = .symlink
        case S_IFCHR: type = .characterDevice
        case S_IFBLK: type = .blockDevice
        case S_IFIFO: type = .fifo
        default: throw refuse("unsupported entry type (mode \(String(raw.fileType, radix: 8)))")
        }
        let target = location.hardlinkTarget.map(\.text) ?? location.symlinkTarget.map { String(decoding: $0, as: UTF8.self) }
        let entry = ImageEntry(
            path: location.path.text, type: type, mode: raw.permissions, size: type == .file ? raw.size : 0,
            linkTarget: target, uid: raw.uid, gid: raw.gid, uname: raw.uname, gname: raw.gname,
            modificationTime: raw.modificationTime)
        return (entry, location)
    }
}
