import Foundation

/// Metadata keys in first-seen order with their raw values.
struct RawMetadata {
    var keys: [String] = []
    var values: [String: Data] = [:]
}

extension GPKG {
    /// Checks a listed container, then reads its Manifest (kept even if malformed) and `metadata.tar.*`.
    static func read(_ listing: GPKGListing, from reader: ByteReader, limits: BinpkgLimits)
        throws(BinpkgError) -> (GPKG, RawMetadata)
    {
        func fail(_ kind: BinpkgError.Kind) -> BinpkgError { BinpkgError(path: reader.path, kind: kind) }
        if listing.overflow { throw fail(.tooLarge(what: "members in the gpkg container", limit: limits.containerMembers)) }
        if let problem = listing.layoutProblem { throw fail(.invalidLayout(problem)) }
        let members = listing.members
        guard let metadataMember = find("metadata", in: members) else { throw fail(.missingMember("metadata.tar.*")) }
        try requirePresent(metadataMember, in: reader)
        let metadata = try readMetadata(metadataMember, from: reader, limits: limits)

        var manifest: Manifest?
        var manifestText: String?
        var manifestProblem: String?
        if let member = members.first(where: { $0.baseName == "Manifest" }) {
            do {
                try requirePresent(member, in: reader)
                guard member.size <= limits.manifestBytes else {
                    throw fail(.tooLarge(what: "Manifest bytes", limit: limits.manifestBytes))
                }
                let text = String(decoding: try reader.bytes(member.dataRange), as: UTF8.self)
                manifestText = text
                manifest = try Manifest(parsing: text, path: "\(reader.path) :: \(member.name)")
            } catch let error as ManifestError {
                manifestProblem = error.problem
            } catch {
                manifestProblem = (error as? BinpkgError)?.problem ?? "\(error)"
            }
        } else {
            manifestProblem = listing.damage.map { "no Manifest member (the container is damaged: \($0))" }
                ?? "no Manifest member"
        }
        let directory = String(members[0].name.split(separator: "/")[0])
        let gpkg = GPKG(directory: directory, members: members, damage: listing.damage,
                        manifest: manifest, manifestText: manifestText, manifestProblem: manifestProblem)
        return (gpkg, metadata)
    }

    /// Throws `truncated` when the file ends before the member's announced bytes do.
    static func requirePresent(_ member: Member, in reader: ByteReader) throws(BinpkgError) {
        let present = max(0, reader.size - member.dataOffset)
        guard present >= member.size else {
            throw BinpkgError(path: reader.path, kind: .truncated(
                member: member.baseName, detail: "\(member.size) bytes announced, \(present) present"))
        }
    }

    /// Reads `metadata/<KEY>` regular files from `metadata.tar.*`, as Portage's `unpack_metadata` does
    /// (it refuses other entry types and paths; a key given twice keeps its last value).
    static func readMetadata(_ member: Member, from reader: ByteReader, limits: BinpkgLimits)
        throws(BinpkgError) -> RawMetadata
    {
        func fail(_ kind: BinpkgError.Kind) -> BinpkgError { BinpkgError(path: reader.path, kind: kind) }
        let archive = try ArchiveReader(reader, range: member.dataRange, compression: compression(of: member),
                                        member: member.baseName)
        // Headers and data together, so neither huge values nor a stream of empty entries can run on.
        archive.byteLimit = limits.metadataBytes
        var metadata = RawMetadata()
        var entries = 0
        while let entry = try archive.next() {
            entries += 1
            guard entries <= limits.metadataEntries else {
                throw fail(.tooLarge(what: "entries in \(member.baseName)", limit: limits.metadataEntries))
            }
            let name = entry.pathText
            guard entry.fileType == S_IFREG else {
                throw fail(.invalidLayout("\(member.baseName): \"\(name)\" is not a regular file"))
            }
            guard name.hasPrefix("metadata/"), name.count > "metadata/".count else {
                throw fail(.invalidLayout("\(member.baseName): \"\(name)\" is not metadata/<KEY>"))
            }
            var value = Data(capacity: max(0, entry.size))
            try archive.readData { block, _ in value.append(contentsOf: block) }
            let key = String(name.dropFirst("metadata/".count))
            if metadata.values.updateValue(value, forKey: key) == nil { metadata.keys.append(key) }
        }
        return metadata
    }
}
