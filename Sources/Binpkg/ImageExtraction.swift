import CArchive
import Foundation

/// What `extractImage` may create besides files, directories and links.
public struct ExtractionOptions: Sendable, Hashable {
    /// Create character and block devices and FIFOs (devices need root). Default false: such an entry is refused
    /// with `hostileEntry` and nothing is extracted, as Portage's gpkg extraction always does.
    public var allowDeviceNodes: Bool
    /// Restore each entry's numeric uid and gid (never names: the host's users are not the image's). Honoured
    /// only when running as root; default false.
    public var preserveOwnership: Bool

    /// Options; by default no device nodes and no ownership.
    public init(allowDeviceNodes: Bool = false, preserveOwnership: Bool = false) {
        self.allowDeviceNodes = allowDeviceNodes
        self.preserveOwnership = preserveOwnership
    }
}

/// What an extraction created.
public struct ExtractionReport: Sendable, Hashable {
    /// The directory the image now fills.
    public var directory: URL
    /// How many entries of each type were created (the root entry is not counted).
    public var counts: [ImageEntry.EntryType: Int] = [:]
    /// File bytes written.
    public var bytes = 0
    /// xpak entries whose leading `/` was dropped, as GNU tar (Portage's xpak extractor) does.
    public var droppedLeadingSlashes: [String] = []
    /// True when owners and groups were restored.
    public var ownershipRestored = false

    /// How many entries of `type` were created.
    public func count(_ type: ImageEntry.EntryType) -> Int { counts[type] ?? 0 }
}

extension BinaryPackage {
    /// Extracts the image into `directory`, which must not exist yet or be empty; all or nothing.
    ///
    /// A gpkg is first checked against its Manifest (as Portage does before extracting); any problem throws
    /// `manifestMismatch`. Entries are then written into a fresh sibling directory renamed into place at the
    /// end, so a refused or damaged package leaves nothing behind. Policy, each entry judged before it is written:
    /// - `..` components are refused; an absolute name is refused in a gpkg and loses its `/` in an xpak, as
    ///   Portage's own extractors do (`tar_safe_extract`, GNU tar); a gpkg name outside `image/` is refused
    ///   (Portage silently drops it).
    /// - No entry may go through a symlink, replace a non-directory or repeat a path.
    /// - A hardlink must name a non-directory extracted before it.
    /// - Symlink targets: an absolute one (`/usr/lib/libfoo.so.1`) is normal in a root filesystem image and kept
    ///   verbatim, because the node resolves it against its own root; a relative one must not climb above the
    ///   image root when resolved lexically from the entry's directory.
    /// - Devices and FIFOs only with `options.allowDeviceNodes`, else refused (`hostileEntry`).
    /// - Modes are kept (setuid included); ownership per `options.preserveOwnership`.
    /// libarchive's `SECURE_SYMLINKS` and `SECURE_NODOTDOT` guard the same again while writing. Its
    /// `SECURE_NOABSOLUTEPATHS` cannot be used: entries are written by absolute path under the staging directory,
    /// because libarchive resolves relative paths against the process-wide working directory.
    public func extractImage(into directory: URL, options: ExtractionOptions = ExtractionOptions())
        throws(BinpkgError) -> ExtractionReport
    {
        if let gpkg {
            let problems = gpkg.containerProblems(try ByteReader(source, path: path))
            guard problems.isEmpty else { throw BinpkgError(path: path, kind: .manifestMismatch(problems)) }
        }
        let staging = try StagingDirectory(for: directory, package: path)
        do {
            var report = try extract(into: staging.rootBytes, options: options)
            try staging.commit()
            report.directory = directory
            return report
        } catch {
            staging.discard()
            throw error
        }
    }

    private func extract(into root: [UInt8], options: ExtractionOptions) throws(BinpkgError) -> ExtractionReport {
        let restoreOwners = options.preserveOwnership && geteuid() == 0
        var flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        if restoreOwners { flags |= ARCHIVE_EXTRACT_OWNER }
        let writer = try DiskWriter(flags: flags, package: path)
        var policy = ExtractionGuard(allowDeviceNodes: options.allowDeviceNodes)
        var report = ExtractionReport(directory: URL(fileURLWithPath: String(decoding: root, as: UTF8.self)))
        report.ownershipRestored = restoreOwners
        try walkImage { entry, location, archive throws(BinpkgError) in
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
