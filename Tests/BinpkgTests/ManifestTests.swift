import Binpkg
import Digests
import FarmModel
import Foundation
import Testing
import TestSupport

@Suite("Manifest parsing and verification")
struct ManifestTests {
    /// b2sum and sha512sum of testdata/binpkg/tape-0-r2-1.xpak, as a thin Manifest's DIST line would hold them.
    static let tapeBlake2b = "3b9114ded8cac0996e69856bf542cf9b6fdce8e34844c201ebce09589c165742"
        + "f8a279999074f57f8b7ae5652708829061705aa9d98743a1d46cc4c277010945"
    static let tapeSHA512 = "a3efd7f61e412fef9a49aabda1ad168b50542beb60e3b7ab2ce108d693a04d9e"
        + "916bfef657ac5bc6743d9c5213665156c6abb81fa75e106a9dc0588f9d3ac178"
    static let thin = """
        AUX fix-build.patch 12 SHA256 \(String(repeating: "ab", count: 32))
        DIST tape-0-r2-1.xpak 9821 BLAKE2B \(tapeBlake2b) SHA512 \(tapeSHA512)
        EBUILD tape-0-r2.ebuild 100 BLAKE2B \(String(repeating: "0", count: 128)) WHIRLPOOL 00ff

        MISC metadata.xml 300 SHA512 \(String(repeating: "C", count: 128))

        """

    /// The members of the real signed gpkg, extracted with tar into a temp dir.
    func extractGpkg(into directory: borrowing TemporaryDirectory) throws -> URL {
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-xf", Fixtures.testdata("binpkg/onepassword-cli-0-1.gpkg.tar").path, "-C", directory.url.path]
        try tar.run()
        tar.waitUntilExit()
        try #require(tar.terminationStatus == 0)
        return directory.url.appendingPathComponent("onepassword-cli-0-1")
    }

    @Test("a thin Manifest parses every entry type with its line")
    func parsesThin() throws {
        // Given a thin Manifest with a blank line, when parsed
        let manifest = try Manifest(parsing: Self.thin, path: "/repo/acct-group/tape/Manifest")

        // Then every entry has its type, size, hashes and line
        #expect(manifest.entries.map(\.type) == [.aux, .dist, .ebuild, .misc])
        #expect(manifest.entries.map(\.location.line) == [1, 2, 3, 5])
        #expect(manifest.distfiles.map(\.name) == ["tape-0-r2-1.xpak"])
        let dist = try #require(manifest.entry(named: "tape-0-r2-1.xpak", type: .dist))
        #expect(dist.size == 9821)
        #expect(dist.hash(.blake2b) == Self.tapeBlake2b && dist.hash(.sha512) == Self.tapeSHA512)
        #expect(manifest.entry(named: "metadata.xml")?.hash(.sha512) == String(repeating: "c", count: 128))
        #expect(manifest.entry(named: "tape-0-r2.ebuild")?.hashes["WHIRLPOOL"] == "00ff")
        #expect(!manifest.isSigned)
    }

    @Test("a DIST entry verifies against the real file, and a changed copy mismatches with a fix")
    func verifyDist() throws {
        // Given the thin Manifest and the real distfile
        let manifest = try Manifest(parsing: Self.thin, path: "/repo/acct-group/tape/Manifest")
        let entry = try #require(manifest.entry(named: "tape-0-r2-1.xpak"))
        #expect(try manifest.verify(file: BinpkgSample.named("tape-0-r2-1.xpak").url, against: entry) == nil)

        // When a copy with one byte changed is verified
        let directory = try TemporaryDirectory()
        var data = try Data(contentsOf: BinpkgSample.named("tape-0-r2-1.xpak").url)
        data[100] ^= 0x01
        let changed = try directory.write(data, to: "tape-0-r2-1.xpak")
        let mismatch = try #require(try manifest.verify(file: changed, against: entry))

        // Then both hashes are reported with expected and actual values, and the fix says what to do
        #expect(mismatch.differences.count == 2)
        guard case let .hash(algorithm, expected, actual) = mismatch.differences.first else {
            Issue.record("expected a hash difference, got \(mismatch.differences)"); return
        }
        #expect(algorithm == .blake2b && expected == Self.tapeBlake2b && actual != expected)
        #expect(actual == (try Digest.hex(.blake2b, of: data)))
        #expect(mismatch.problem.contains(changed.path) && mismatch.problem.contains("Manifest:2"))
        #expect(mismatch.fix.contains("delete \(changed.path)") && mismatch.fix.contains("manifest"))
        #expect(throws: ManifestMismatch.self) { try manifest.check(file: changed, against: entry) }
    }

    @Test("a short download is a size mismatch")
    func sizeMismatch() throws {
        // Given the first 4096 bytes of the distfile; when verified; then only the size is reported
        let manifest = try Manifest(parsing: Self.thin, path: "Manifest")
        let directory = try TemporaryDirectory()
        let data = try Data(contentsOf: BinpkgSample.named("tape-0-r2-1.xpak").url)
        let short = try directory.write(data.prefix(4096), to: "tape-0-r2-1.xpak")
        let mismatch = try manifest.verify(file: short, against: manifest.entry(named: "tape-0-r2-1.xpak")!)
        #expect(mismatch?.differences == [.size(expected: 9821, actual: 4096)])
    }

    @Test("the real signed gpkg Manifest parses and verifies all five members")
    func realGpkg() throws {
        // Given the members of the real gpkg
        let directory = try TemporaryDirectory()
        let package = try extractGpkg(into: directory)

        // When its clear-signed Manifest is parsed
        let manifest = try Manifest(contentsOf: package.appendingPathComponent("Manifest"))

        // Then the DATA lines (lines 4-8 of the file) are there and every member matches
        #expect(manifest.isSigned)
        #expect(manifest.entries.map(\.name) == ["gpkg-1", "metadata.tar.xz", "metadata.tar.xz.sig", "image.tar.xz",
                                                 "image.tar.xz.sig"])
        #expect(manifest.entries.map(\.location.line) == [4, 5, 6, 7, 8])
        #expect(manifest.entries.map(\.size) == [0, 8976, 833, 280, 833])
        for entry in manifest.entries {
            #expect(try manifest.verify(file: package.appendingPathComponent(entry.name), against: entry) == nil)
        }

        // And a member swapped for another of the same size mismatches with the binpkg fix
        let swapped = package.appendingPathComponent("metadata.tar.xz.sig")
        let image = try #require(manifest.entry(named: "image.tar.xz.sig"))
        let mismatch = try #require(try manifest.verify(file: swapped, against: image))
        let algorithms = mismatch.differences.map { difference -> DigestAlgorithm? in
            if case .hash(let algorithm, _, _) = difference { algorithm } else { nil }
        }
        #expect(algorithms == [.blake2b, .sha512])
        #expect(mismatch.fix.contains("binary package is damaged"))
    }

    @Test("malformed lines throw naming the Manifest and line", arguments: [
        ("DIST a.tar.gz 10 BLAKE2B\n", 1),
        ("DIST a.tar.gz ten SHA256 \(String(repeating: "0", count: 64))\n", 1),
        ("\nDIST a.tar.gz -1 SHA256 \(String(repeating: "0", count: 64))\n", 2),
        ("DIST a.tar.gz 10 SHA256 abc\n", 1),
        ("DIST a.tar.gz 10 SHA256 \(String(repeating: "g", count: 64))\n", 1),
        ("DIST a.tar.gz 10\n", 1),
        ("FOO a.tar.gz 10 SHA256 \(String(repeating: "0", count: 64))\n", 1),
        ("DIST a 1 MD5 \(String(repeating: "0", count: 32))\nDIST a 1 MD5 \(String(repeating: "0", count: 32))\n", 2),
        ("DIST a 1 MD5 \(String(repeating: "0", count: 32)) MD5 \(String(repeating: "0", count: 32))\n", 1),
        ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nDIST a 1 MD5 \(String(repeating: "0", count: 32))\n", 1),
    ])
    func malformed(text: String, line: Int) throws {
        // Given a damaged Manifest; when parsed; then the error names the Manifest and line
        let error = try #require(Result { () throws(ManifestError) in
            try Manifest(parsing: text, path: "/repo/cat/pkg/Manifest")
        }.error)
        #expect(error.location == SourceLocation(path: "/repo/cat/pkg/Manifest", line: line))
        #expect(error.problem.hasPrefix("/repo/cat/pkg/Manifest:\(line): malformed"))
        #expect(error.fix.contains("manifest"))
    }

    @Test("TIMESTAMP and IGNORE lines of full-tree Manifests are skipped")
    func fullTreeLines() throws {
        // Given GLEP 74 TIMESTAMP/IGNORE lines; when parsed; then only the MANIFEST entry remains
        let text = "TIMESTAMP 2024-01-01T00:00:00Z\nIGNORE distfiles\nMANIFEST cat/Manifest.gz 10 SHA512 \(String(repeating: "1", count: 128))\n"
        let manifest = try Manifest(parsing: text, path: "Manifest")
        #expect(manifest.entries.map(\.type) == [.manifest])
    }

    @Test("an entry with only unsupported hashes cannot be verified")
    func noSupportedHash() throws {
        // Given an entry with only WHIRLPOOL and RMD160; when verified; then ManifestError is thrown
        let manifest = try Manifest(parsing: "DIST x 0 WHIRLPOOL 00 RMD160 11\n", path: "M")
        let directory = try TemporaryDirectory()
        let file = try directory.write(Data(), to: "x")
        #expect(throws: ManifestError.self) { try manifest.verify(file: file, against: manifest.entries[0]) }
    }
}
