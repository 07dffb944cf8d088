import Foundation

/// The container of a gpkg binary package (GLEP 78): its members, Manifest and signature members.
///
/// Signatures (`*.sig` members and a PGP clear-signed Manifest) are noted here; the Manifest's signature is checked
/// against the farm's key (GnuPG) by the farm, which then trusts each member by its Manifest digest.
public struct GPKG: Sendable, Hashable {
    /// One member of the outer (uncompressed) tar.
    public struct Member: Sendable, Hashable {
        /// The full member name, e.g. `onepassword-cli-0-1/image.tar.xz`.
        public var name: String
        /// The name inside the package directory, as the Manifest lists it, e.g. `image.tar.xz`.
        public var baseName: String
        /// The size its header announces.
        public var size: Int
        /// Where its header starts in the file.
        public var headerOffset: Int
        /// Where its bytes start in the file.
        public var dataOffset: Int

        /// The bytes of the member in the file.
        var dataRange: Range<Int> {
            let (end, overflow) = dataOffset.addingReportingOverflow(max(0, size))
            return dataOffset..<(overflow ? Int.max : end)
        }
    }

    /// The package directory every member is in, e.g. `onepassword-cli-0-1`.
    public let directory: String
    /// The members in container order.
    public let members: [Member]
    /// The `metadata.tar.*` member's base name.
    public let metadataMember: String
    /// The `image.tar.*` member's base name; nil when the package has none.
    public let imageMember: String?
    /// The parsed Manifest; nil when it is missing or malformed (see `manifestProblem`).
    public let manifest: Manifest?
    /// The Manifest member's text as stored (with its PGP clear-signature, if any), for checking the signature.
    public let manifestText: String?
    /// Why `manifest` is nil, e.g. "no Manifest member" or the parser's message.
    public let manifestProblem: String?
    /// Where the container stopped being readable, when it did not read to its end (members after it are lost).
    public let containerDamage: String?

    /// True when the `gpkg-1` format marker member is present.
    public var hasFormatMarker: Bool { member(named: "gpkg-1") != nil }
    /// Signature members (`*.sig`), e.g. `image.tar.xz.sig`: noted, not verified.
    public var signatureMembers: [String] { members.map(\.baseName).filter { $0.hasSuffix(".sig") } }
    /// True when the Manifest is PGP clear-signed (the signature is not verified).
    public var isManifestSigned: Bool { manifest?.isSigned ?? false }

    /// The member with this base name, e.g. `member(named: "Manifest")`.
    public func member(named baseName: String) -> Member? { members.first { $0.baseName == baseName } }

    init(directory: String, members: [Member], damage: String?, manifest: Manifest?, manifestText: String?, manifestProblem: String?) {
        self.manifestText = manifestText
        self.directory = directory
        self.members = members
        metadataMember = Self.find("metadata", in: members)?.baseName ?? ""
        imageMember = Self.find("image", in: members)?.baseName
        self.manifest = manifest
        self.manifestProblem = manifestProblem
        containerDamage = damage
    }

    /// The first member named `<stem>.tar[.ext]` with a compression Portage knows (its `_get_inner_tarinfo`).
    static func find(_ stem: String, in members: [Member]) -> Member? {
        members.first { PayloadCompression.splitMemberName($0.baseName)?.stem == stem }
    }

    /// The compression of a member from its name suffix.
    static func compression(of member: Member) -> PayloadCompression {
        PayloadCompression.splitMemberName(member.baseName)?.compression ?? .uncompressed
    }
}

/// The members of a plain tar read as a possible gpkg container, before it is known to be one.
struct GPKGListing {
    var members: [GPKG.Member] = []
    /// libarchive's message when the container stopped being readable after at least one member.
    var damage: String?
    /// True when there were more members than the limit allows (listing stopped there).
    var overflow = false

    /// Lists the outer tar; nil when the file does not even start with a tar header.
    static func read(_ reader: ByteReader, limits: BinpkgLimits) throws(BinpkgError) -> GPKGListing? {
        var listing = GPKGListing()
        let archive: ArchiveReader
        do { archive = try ArchiveReader(reader, range: 0..<reader.size, compression: .uncompressed, member: "the gpkg container") } catch {
            if case .corruptArchive = error.kind { return nil }
            throw error
        }
        do {
            while let entry = try archive.next() {
                guard listing.members.count < limits.containerMembers else { listing.overflow = true; break }
                let name = entry.pathText
                listing.members.append(GPKG.Member(
                    name: name, baseName: String(name.split(separator: "/", omittingEmptySubsequences: false).last ?? ""),
                    size: entry.fileType == S_IFREG && entry.hardlinkBytes == nil ? entry.size : -1,
                    headerOffset: archive.headerOffset, dataOffset: archive.consumed))
            }
        } catch {
            guard case .corruptArchive(_, let message) = error.kind else { throw error }
            guard !listing.members.isEmpty else { return nil }
            listing.damage = message
        }
        return listing
    }

    /// True when the first member is `<dir>/gpkg-1`, or (Portage's "wrong order gpkg" fallback) the members
    /// sit in one directory and include `gpkg-1` or a `metadata.tar.*`.
    var looksLikeGPKG: Bool {
        guard let first = members.first else { return false }
        if first.baseName == "gpkg-1", first.name.split(separator: "/").count == 2 { return true }
        return !overflow && layoutProblem == nil
            && (members.contains { $0.baseName == "gpkg-1" } || GPKG.find("metadata", in: members) != nil)
    }

    /// What breaks the layout Portage's `_verify_binpkg` requires, nil when it holds: every member a regular
    /// file (not a link) named `<dir>/<name>` in one directory, no name twice.
    var layoutProblem: String? {
        guard let directory = members.first?.name.split(separator: "/").first else { return "the container is empty" }
        var seen = Set<String>()
        for member in members {
            let parts = member.name.split(separator: "/", omittingEmptySubsequences: false)
            guard !member.name.hasPrefix("/"), parts.count == 2, !parts[1].isEmpty else {
                return "member \"\(member.name)\" is not <directory>/<name>"
            }
            guard parts[0] == directory else { return "members are in both \(directory)/ and \(parts[0])/" }
            guard member.size >= 0 else { return "member \"\(member.name)\" is not a regular file" }
            guard seen.insert(member.name).inserted else { return "member \"\(member.name)\" appears twice" }
        }
        return nil
    }
}
