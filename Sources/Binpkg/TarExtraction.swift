import CArchive
import Foundation

/// Writes one walk of a tar stream into a fresh directory, all or nothing, each entry judged by `ExtractionGuard`
/// before it is written. Shared by binary package images and stage tarballs.
struct TarExtraction {
    /// A walk: hands each resolved entry, in archive order, to the body.
    typealias Walk = ((ImageEntry, ImageLocation, ArchiveReader) throws(BinpkgError) -> Void) throws(BinpkgError) -> Void

    /// The file read, for messages.
    let path: String
    let options: ExtractionOptions

    /// Extracts into `directory` (absent or empty) through a sibling staging directory renamed into place at the end.
    func extract(into directory: URL, walk: Walk) throws(BinpkgError) -> ExtractionReport {
        let staging = try StagingDirectory(for: directory, package: path)
        do {
            var report = try write(into: staging.rootBytes, walk: walk)
            try staging.commit()
            report.directory = directory
            return report
        } catch {
            staging.discard()
            throw error
        }
    }

    private func write(into root: [UInt8], walk: Walk) throws(BinpkgError) -> ExtractionReport {
        let restoreOwners = options.preserveOwnership && geteuid() == 0
        var flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        if restoreOwners { flags |= ARCHIVE_EXTRACT_OWNER }
        let writer = try DiskWriter(flags: flags, package: path)
        var policy = ExtractionGuard(allowDeviceNodes: options.allowDeviceNodes)
        var report = ExtractionReport(directory: URL(fileURLWithPath: String(decoding: root, as: UTF8.self)))
        report.ownershipRestored = restoreOwners
        let path = self.path
        try walk { entry, location, archive throws(BinpkgError) in
            do throws(ImagePath.Refusal) { try policy.admit(entry.type, at: location) } catch {
                throw BinpkgError(path: path, kind: .hostileEntry(entry: entry.path, reason: error.reason))
            }
            guard let native = archive.currentEntry else { return }
            Self.setPath(root, location.path, with: archive_entry_copy_pathname, on: native)
            if let target = location.hardlinkTarget {
                Self.setPath(root, target, with: archive_entry_copy_hardlink, on: native)
            }
            report.bytes += try writer.write(native, entry: entry.path, from: archive)
            report.counts[entry.type, default: 0] += 1
            if location.path.droppedLeadingSlash { report.droppedLeadingSlashes.append(entry.path) }
        }
        try writer.close()
        return report
    }

    /// Sets `<root>/<path>` as raw bytes, so names that are not UTF-8 survive.
    private static func setPath(_ root: [UInt8], _ path: ImagePath, with set: (OpaquePointer?, UnsafePointer<CChar>?) -> Void,
                                on entry: OpaquePointer) {
        let full = root + [0x2f] + path.bytes + [0]
        full.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { set(entry, $0.baseAddress) }
        }
    }
}
