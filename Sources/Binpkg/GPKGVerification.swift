import Digests
import FarmModel
import Foundation

extension GPKG {
    /// What is wrong with the container against its Manifest, as Portage's `gpkg._verify_binpkg` checks it
    /// (minus OpenPGP): the marker, every listed member present with its size and hashes, nothing unlisted.
    func containerProblems(_ reader: ByteReader) -> [BinpkgVerification.Problem] {
        var problems: [BinpkgVerification.Problem] = []
        if !hasFormatMarker { problems.append(.missingFormatMarker) }
        if let containerDamage { problems.append(.damagedContainer(containerDamage)) }
        guard let manifest else {
            problems.append(.unusableManifest(manifestProblem ?? "no Manifest member"))
            return problems
        }
        var listed = Set<String>()
        for entry in manifest.entries {
            guard entry.type == .data else {
                problems.append(.unexpectedManifestEntry("\(entry.type.rawValue) \(entry.name)"))
                continue
            }
            listed.insert(entry.name)
            guard let member = member(named: entry.name) else {
                problems.append(.missingMember(entry.name))
                continue
            }
            problems += Self.check(member, against: entry, in: reader)
        }
        for member in members where member.baseName != "Manifest" && !listed.contains(member.baseName) {
            problems.append(.notInManifest(member.baseName))
        }
        return problems
    }

    /// Size first, then every supported hash of the Manifest entry in one streaming pass over the member.
    private static func check(_ member: Member, against entry: Manifest.Entry, in reader: ByteReader)
        -> [BinpkgVerification.Problem]
    {
        let name = member.baseName
        guard member.size == entry.size else { return [.sizeMismatch(member: name, expected: entry.size, actual: member.size)] }
        let present = max(0, reader.size - member.dataOffset)
        guard present >= member.size else { return [.truncated(member: name, expected: member.size, present: present)] }
        let algorithms = Manifest.verificationOrder.filter { entry.hash($0) != nil }
        guard !algorithms.isEmpty else { return [.noSupportedHash(member: name)] }
        let digests: [DigestAlgorithm: String]
        do { digests = try Digest.hex(Set(algorithms), of: member.dataRange, in: reader) } catch {
            return [.unreadable(member: name, message: error.problemText)]
        }
        return algorithms.compactMap { algorithm in
            guard let expected = entry.hash(algorithm), let actual = digests[algorithm], expected != actual else { return nil }
            return .digestMismatch(member: name, algorithm: algorithm, expected: expected, actual: actual)
        }
    }
}

extension Digest {
    /// Digests of a byte range of a package, streamed in 1 MiB chunks through every hasher at once.
    static func hex(_ algorithms: Set<DigestAlgorithm>, of range: Range<Int>, in reader: ByteReader) throws
        -> [DigestAlgorithm: String]
    {
        let hashers = try makeHashers(algorithms)
        var offset = range.lowerBound
        while offset < range.upperBound {
            let chunk = try reader.bytes(offset..<min(range.upperBound, offset + chunkSize))
            guard !chunk.isEmpty else { break }
            for hasher in hashers { try hasher.update(Data(chunk)) }
            offset += chunk.count
        }
        return try finish(hashers)
    }
}
