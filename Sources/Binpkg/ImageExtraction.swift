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
        return try TarExtraction(path: path, options: options).extract(into: directory) { body throws(BinpkgError) in
            try walkImage(body)
        }
    }
}
