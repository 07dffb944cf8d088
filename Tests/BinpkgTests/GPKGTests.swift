import Binpkg
import Digests
import Foundation
import Testing
import TestSupport

@Suite("gpkg: container, Manifest and verification")
struct GPKGTests {
    static let sample = ImageSample.gpkg

    @Test("the container's members, marker, Manifest and signatures")
    func container() throws {
        // Given the real signed gpkg (offsets from Python's tarfile: TarInfo.offset and offset_data)
        let gpkg = try #require(try BinaryPackage(contentsOf: Self.sample.url).gpkg)

        // Then every member is listed where it is, and the Manifest and signatures are noted
        #expect(gpkg.directory == "onepassword-cli-0-1")
        #expect(gpkg.members.map(\.baseName)
            == ["gpkg-1", "metadata.tar.xz", "metadata.tar.xz.sig", "image.tar.xz", "image.tar.xz.sig", "Manifest"])
        #expect(gpkg.members.map(\.size) == [0, 8976, 833, 280, 833, 2364])
        #expect(gpkg.members.map(\.headerOffset) == [0, 512, 10240, 11776, 12800, 14336])
        #expect(gpkg.members.map(\.dataOffset) == [512, 1024, 10752, 12288, 13312, 14848])
        #expect(gpkg.hasFormatMarker)
        #expect(gpkg.metadataMember == "metadata.tar.xz")
        #expect(gpkg.imageMember == "image.tar.xz")
        #expect(gpkg.signatureMembers == ["metadata.tar.xz.sig", "image.tar.xz.sig"])
        #expect(gpkg.isManifestSigned)
        #expect(gpkg.containerDamage == nil && gpkg.manifestProblem == nil)
        let manifest = try #require(gpkg.manifest)
        #expect(manifest.entries.map(\.name) == ["gpkg-1", "metadata.tar.xz", "metadata.tar.xz.sig", "image.tar.xz", "image.tar.xz.sig"])
        #expect(manifest.entries.allSatisfy { $0.type == .data && $0.hash(.blake2b) != nil && $0.hash(.sha512) != nil })
    }

    @Test("the intact package verifies")
    func verifies() throws {
        // Given a copy of the real gpkg; when verified; then no problem is found
        let copy = try Fixtures.copyToTemporary(Self.sample.url)
        defer { discard(copy.deletingLastPathComponent()) }
        let verification = try BinaryPackage(contentsOf: copy).verify()
        #expect(verification.isOK, "\(verification)")
    }

    @Test("a flipped byte inside image.tar.xz fails both hashes and the image read, naming the member")
    func flippedImageByte() throws {
        // Given a copy with one byte of image.tar.xz (bytes 12288..<12568) inverted
        let copy = try Fixtures.copyToTemporary(Self.sample.url)
        defer { discard(copy.deletingLastPathComponent()) }
        var data = try Data(contentsOf: copy)
        data[12288 + 100] ^= 0xff
        try data.write(to: copy)

        // When it is verified and extracted
        let package = try BinaryPackage(contentsOf: copy)
        let verification = package.verify()
        let target = copy.deletingLastPathComponent().appendingPathComponent("root")
        let error = try #require(Result { () throws(BinpkgError) in try package.extractImage(into: target) }.error)

        // Then BLAKE2B and SHA512 differ, xz reports the damage, every problem names image.tar.xz, and nothing is extracted
        #expect(!verification.isOK)
        #expect(verification.problems.allSatisfy { $0.member == "image.tar.xz" }, "\(verification)")
        let algorithms = verification.problems.compactMap { problem -> DigestAlgorithm? in
            if case .digestMismatch(_, let algorithm, _, _) = problem { algorithm } else { nil }
        }
        #expect(Set(algorithms) == [.blake2b, .sha512])
        #expect(verification.problems.contains { if case .unreadable = $0 { true } else { false } })
        guard case .manifestMismatch(let problems) = error.kind else { Issue.record("got \(error)"); return }
        #expect(problems.contains { $0.member == "image.tar.xz" })
        #expect(!FileManager.default.fileExists(atPath: target.path))
    }

    @Test("a copy cut inside a member fails verification naming that member",
          arguments: [("image.tar.xz", 12288 + 100), ("Manifest", 14848 + 1000)])
    func truncated(member: String, length: Int) throws {
        // Given a copy of the gpkg cut `length` bytes in, inside `member`
        let copy = try Fixtures.copyToTemporary(Self.sample.url)
        defer { discard(copy.deletingLastPathComponent()) }
        try Data(contentsOf: copy).prefix(length).write(to: copy)

        // When it is read and verified
        let verification = try BinaryPackage(contentsOf: copy).verify()

        // Then it is not ok and a problem names the cut member
        #expect(!verification.isOK)
        #expect(verification.problems.contains { $0.member == member }, "\(verification)")
    }

    @Test("a flipped byte inside metadata.tar.xz makes reading fail, naming the member")
    func flippedMetadataByte() throws {
        // Given a copy with one byte of metadata.tar.xz (bytes 1024..<10000) inverted
        var data = try Data(contentsOf: Self.sample.url)
        data[1024 + 4000] ^= 0xff

        // When it is read, then libarchive's xz error names metadata.tar.xz
        let error = try #require(Result { () throws(BinpkgError) in try BinaryPackage(data: data, path: "damaged") }.error)
        guard case .corruptArchive(let member, _) = error.kind else { Issue.record("got \(error)"); return }
        #expect(member == "metadata.tar.xz")
        #expect(error.problem.hasPrefix("damaged: "))
    }

    @Test("a member missing from the container or unknown to the Manifest is reported",
          arguments: [("drop", "image.tar.xz.sig"), ("add", "extra")])
    func membersVersusManifest(change: String, member: String) throws {
        // Given a copy of the gpkg rebuilt with Python's tarfile, one member dropped or one unlisted member added
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let output = try BinpkgBuilder.rewrite(Self.sample.url, change, member, in: directory)

        // When it is verified
        let verification = try BinaryPackage(contentsOf: output).verify()

        // Then exactly that problem is reported
        let expected: BinpkgVerification.Problem = change == "drop" ? .missingMember(member) : .notInManifest(member)
        #expect(verification.problems == [expected])
    }
}
