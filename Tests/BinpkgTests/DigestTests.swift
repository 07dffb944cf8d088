import Binpkg
import Digests
import Foundation
import Testing
import TestSupport

@Suite("Digest via OpenSSL EVP")
struct DigestTests {
    /// Known values from `sha256sum`, `sha512sum` and `b2sum` (BLAKE2b-512) of the real files.
    static let known: [(file: String, algorithm: DigestAlgorithm, hex: String)] = [
        ("tape-0-r2-1.xpak", .sha256, "da9f036a284064fd485c651a9bce10767ec1c036a79ccbbbe3e6e44d5d0b0841"),
        ("tape-0-r2-1.xpak", .sha512,
         "a3efd7f61e412fef9a49aabda1ad168b50542beb60e3b7ab2ce108d693a04d9e916bfef657ac5bc6743d9c5213665156c6abb81fa75e106a9dc0588f9d3ac178"),
        ("tape-0-r2-1.xpak", .blake2b,
         "3b9114ded8cac0996e69856bf542cf9b6fdce8e34844c201ebce09589c165742f8a279999074f57f8b7ae5652708829061705aa9d98743a1d46cc4c277010945"),
        ("bzip2-1.0.8-r4-2.xpak", .sha256, "d3d031476a571495acc8043131e0169fd5a55d21872c3c0cdab0853980b230af"),
        ("bzip2-1.0.8-r4-2.xpak", .blake2b,
         "2d47d91fe88e963a7992ed5c3c35eee306fd18c9e51231afde424c714726fb52b41b09bbdfc79728d24675aaf2ea02444634dee35d81802567c22a26b4cb8895"),
        ("257-binpkgs-Packages", .sha256, "ad389f2dd21c060a9f100c1c2401e3909c305d7fd0798421616bcfb9cb9c7690"),
        ("257-binpkgs-Packages", .blake2b,
         "a39f7457a6c0f74a5f74584605b1882cffbaac033333bafe369947b97c486d0156d6b93f420aea7c64106d1e260452a045ef97ee8202a5cf40677361269c22fe"),
    ]

    @Test("file and data digests match coreutils", arguments: known)
    func knownDigests(file: String, algorithm: DigestAlgorithm, hex: String) throws {
        // Given a real file whose digest coreutils computed
        let url = Fixtures.testdata("binpkg/\(file)")

        // When hashed streamed and in memory, then both give the coreutils value
        #expect(try Digest.hex(algorithm, ofFile: url) == hex)
        #expect(try Digest.hex(algorithm, of: Data(contentsOf: url)) == hex)
    }

    @Test("empty input gives the standard empty digests")
    func empty() throws {
        // Given no bytes; when hashed with every algorithm; then the well-known empty digests come out
        let digests = try Digest.hex(Set(DigestAlgorithm.allCases), of: Data())
        #expect(digests[.sha256] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digests[.md5] == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(digests[.sha1] == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(digests[.blake2b]?.hasPrefix("786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419") == true)
        #expect(digests.allSatisfy { $0.value.count == $0.key.hexLength })
    }

    @Test("a file larger than one chunk hashes the same streamed as in memory")
    func multiChunk() throws {
        // Given 2.5 MiB of non-repeating bytes in a temp file (crosses two 1 MiB chunk boundaries)
        let directory = try TemporaryDirectory()
        var generator = UInt64(0x9E37_79B9_7F4A_7C15)
        let data = Data((0..<(5 << 19)).map { _ in
            generator = generator &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: generator >> 33)
        })
        let url = try directory.write(data, to: "big")

        // When hashed both ways, then all algorithms agree
        let streamed = try Digest.hex(Set(DigestAlgorithm.allCases), ofFile: url)
        #expect(streamed == (try Digest.hex(Set(DigestAlgorithm.allCases), of: data)))
        // And a one-byte change changes the digest
        var changed = data
        changed[Digest.chunkSize] ^= 1
        #expect(try Digest.hex(.blake2b, of: changed) != streamed[.blake2b])
    }

    @Test("the Packages index's SHA1/MD5/SIZE of each binpkg match the file", arguments: [
        "tape-0-r2-1.xpak", "udev-217-r6-2.xpak", "mime-types-2.1.53-1.xpak", "bzip2-1.0.8-r4-2.xpak",
        "portage-utils-0.96-r1-2.xpak",
    ])
    func matchesIndex(file: String) throws {
        // Given the 2023 index and one of its binpkgs
        let index = try PackagesIndex(contentsOf: Fixtures.testdata("binpkg/257-binpkgs-Packages"))
        let entry = try #require(index.packages.first { $0.path?.hasSuffix("/\(file)") == true })
        let url = Fixtures.testdata("binpkg/\(file)")

        // When the file is hashed, then digests and size agree with the index, and so does the XPAK's CPV
        let digests = try Digest.hex([.sha1, .md5], ofFile: url)
        #expect(digests[.sha1] == entry.sha1)
        #expect(digests[.md5] == entry.md5)
        #expect(try Data(contentsOf: url).count == entry.size)
        #expect(BinpkgMetadata(try XPAK(contentsOf: url)).cpv == entry.cpv)
    }

    @Test("a symlinked file hashes like its target; a FIFO is refused instead of blocking")
    func symlinkAndFifo() throws {
        // Given a symlink to a real binpkg and a FIFO; then the link hashes like its target and the FIFO is refused
        let directory = try TemporaryDirectory()
        let target = Fixtures.testdata("binpkg/tape-0-r2-1.xpak")
        let link = directory.url.appendingPathComponent("link.xpak")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(try Digest.hex(.sha256, ofFile: link) == "da9f036a284064fd485c651a9bce10767ec1c036a79ccbbbe3e6e44d5d0b0841")

        let fifo = directory.url.appendingPathComponent("fifo")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        #expect(throws: DigestError.self) { try Digest.hex(.sha256, ofFile: fifo) }
    }

    @Test("an unreadable file is a typed error naming it")
    func missingFile() throws {
        // Given a path that does not exist; when hashed; then DigestError.unreadable names it
        let url = URL(fileURLWithPath: "/nonexistent/farmctl/distfile.tar.gz")
        #expect(throws: DigestError.self) { try Digest.hex(.sha256, ofFile: url) }
        do { _ = try Digest.hex(.sha256, ofFile: url) } catch {
            guard case .unreadable(let path, _) = error else { Issue.record("got \(error)"); return }
            #expect(path == url.path)
            #expect(error.problem.contains("distfile.tar.gz"))
        }
    }
}
