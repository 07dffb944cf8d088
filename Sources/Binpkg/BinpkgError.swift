import FarmModel

/// A binary package (xpak or gpkg) that cannot be read, listed or extracted: names the file and what is wrong.
public struct BinpkgError: UserFacingError, Hashable {
    /// What exactly is wrong.
    public enum Kind: Sendable, Hashable {
        /// The file could not be opened or read.
        case unreadable(reason: String)
        /// The content is neither a gpkg nor an xpak.
        case notABinpkg(reason: String)
        /// It ends with `STOP` but its XPAK trailer is damaged; the trailer error says where.
        case badTrailer(XPAKError)
        /// The file ends inside a member it announces.
        case truncated(member: String, detail: String)
        /// A gpkg's container breaks the layout Portage requires (one directory, unique regular files).
        case invalidLayout(String)
        /// libarchive could not read a member (or the xpak `payload`): which one, and libarchive's message.
        case corruptArchive(member: String, message: String)
        /// A member the operation needs is absent, e.g. `image.tar.*`.
        case missingMember(String)
        /// The gpkg's members do not match its Manifest (checked before anything is extracted).
        case manifestMismatch([BinpkgVerification.Problem])
        /// An image entry refused by the extraction policy (see `BinaryPackage.extractImage`).
        case hostileEntry(entry: String, reason: String)
        /// Something is over farmctl's limit (see `BinpkgLimits`), so it was not read.
        case tooLarge(what: String, limit: Int)
        /// The extraction target cannot be used or written.
        case extractionFailed(target: String, reason: String)
        /// A stage's first bytes are neither a tar header nor a compression libarchive reads here.
        case notATarball
    }

    /// The binary package's path (or the name given to in-memory data).
    public var path: String
    /// What is wrong.
    public var kind: Kind

    /// Creates an error for the package at `path`.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var problem: String {
        switch kind {
        case .unreadable(let reason): "\(path): cannot read the binary package: \(reason)"
        case .notABinpkg(let reason): "\(path): not a binary package (neither gpkg nor xpak): \(reason)"
        case .badTrailer(let error): error.problem
        case let .truncated(member, detail): "\(path): truncated inside \(member): \(detail)"
        case .invalidLayout(let detail): "\(path): not a valid gpkg container: \(detail)"
        case let .corruptArchive(member, message): "\(path): cannot read \(member): \(message)"
        case .missingMember(let name): "\(path): has no \(name) member"
        case .manifestMismatch(let problems):
            "\(path): does not match its Manifest:" + problems.map { "\n    \($0)" }.joined()
        case let .hostileEntry(entry, reason): "\(path): refused image entry \"\(entry)\": \(reason)"
        case let .tooLarge(what, limit): "\(path): too many \(what) (the limit is \(limit))"
        case let .extractionFailed(target, reason): "\(path): cannot extract into \(target): \(reason)"
        case .notATarball: "\(path): not a tarball (neither a tar header nor gzip, bzip2, xz, zstd, lz4, lzip or lzop data)"
        }
    }

    public var fix: String {
        switch kind {
        case .unreadable: "check that the file exists and is readable by the user running farmctl"
        case .badTrailer(let error): error.fix
        case .hostileEntry:
            "do not install this package: it tries to write outside its image or holds entries farmctl refuses; "
                + "find who built it, delete it from PKGDIR and rebuild it on a trusted worker"
        case .tooLarge:
            "if the package is genuine, raise the limit in BinpkgLimits; otherwise delete it from PKGDIR"
        case .extractionFailed:
            "extract into a directory that does not exist yet (or is empty) on a writable file system with free space"
        case .notATarball: "name a stage tarball (.tar, .tar.gz, .tar.bz2, .tar.xz, .tar.zst) or a directory"
        case .notABinpkg, .truncated, .invalidLayout, .corruptArchive, .missingMember, .manifestMismatch:
            "the binary package is damaged or not a binpkg: delete it from PKGDIR and rebuild it "
                + "(`emerge --buildpkg =<cpv>`) or fetch it again, then run `emaint binhost --fix`"
        }
    }
}

/// Bounds on what reading a binary package may allocate or walk, so hostile input cannot exhaust memory.
public struct BinpkgLimits: Sendable, Hashable {
    /// Metadata bytes in total (XPAK trailer or the decompressed `metadata.tar.*`): 64 MiB.
    public var metadataBytes = 64 << 20
    /// Metadata keys (entries of `metadata.tar.*`).
    public var metadataEntries = 4096
    /// Members of a gpkg container (Portage writes six at most).
    public var containerMembers = 64
    /// The gpkg Manifest's size.
    public var manifestBytes = 1 << 20
    /// Entries `imageEntries()` returns, and entries verification or extraction walks.
    public var imageEntries = 1 << 20
    /// Decompressed image bytes a pass may walk (64 GiB), so a small compressed bomb cannot run for hours.
    public var imageBytes = 64 << 30

    /// The defaults above.
    public init() {}
}
