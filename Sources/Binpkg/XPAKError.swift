import FarmModel

/// A binary package whose XPAK metadata trailer cannot be read.
public struct XPAKError: UserFacingError, Hashable {
    /// What exactly is wrong with the trailer.
    public enum Kind: Sendable, Hashable {
        /// The file could not be opened or read.
        case unreadable(reason: String)
        /// The file is smaller than the smallest possible trailer (32 bytes).
        case tooShort(size: Int)
        /// A magic string (`STOP`, `XPAKPACK`, `XPAKSTOP`) is missing at the given byte offset of the file.
        case badMagic(expected: String, offset: Int)
        /// A length or offset points outside the file, the trailer or the data block.
        case offsetOutOfRange(String)
        /// The trailer ends before the index or data it announces.
        case truncated(String)
        /// The trailer is larger than the caller's limit, so it was not read.
        case tooLarge(size: Int, limit: Int)
    }

    /// The binary package's path.
    public var path: String
    /// What is wrong.
    public var kind: Kind

    /// Creates an error for the package at `path`.
    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var problem: String {
        let what: String
        switch kind {
        case .unreadable(let reason): return "\(path): cannot read the binary package: \(reason)"
        case .tooShort(let size):
            what = "the file is \(size) bytes, shorter than the smallest XPAK trailer (\(XPAK.minimumFileSize) bytes)"
        case let .badMagic(expected, offset): what = "expected \"\(expected)\" at byte \(offset)"
        case .offsetOutOfRange(let detail): what = detail
        case .truncated(let detail): what = "truncated: \(detail)"
        case let .tooLarge(size, limit): what = "the trailer claims \(size) bytes, more than the \(limit)-byte limit"
        }
        return "\(path): no valid XPAK metadata trailer (XPAKPACK … XPAKSTOP <length> STOP): \(what)"
    }

    public var fix: String {
        if case .unreadable = kind { return "check that the file exists and is readable by the user running farmctl" }
        return "the binary package is damaged or not an xpak binpkg: delete it from PKGDIR and rebuild it "
            + "(`emerge --buildpkg =<cpv>`) or fetch it again, then run `emaint binhost --fix`"
    }
}
