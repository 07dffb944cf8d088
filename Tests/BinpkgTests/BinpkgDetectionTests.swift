import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("Format detection and gpkg layout")
struct BinpkgDetectionTests {
    static let gpkg = ImageSample.gpkg.url

    @Test("an xpak whose payload is a bare tar is an xpak with compression \"none\"")
    func bareTarXpak() throws {
        // Given an xpak whose payload is an uncompressed tar (so the file also starts like a tar)
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let url = try BinpkgBuilder.make("xpak", [.dir("./etc"), .file("./etc/a.conf")], compression: "none", in: directory)

        // When read, then it is an xpak, its payload is plain, and its image lists and verifies
        let package = try BinaryPackage(contentsOf: url)
        #expect(package.format == .xpak)
        #expect(package.payloadCompression == .uncompressed)
        #expect(package.payloadCompression?.rawValue == "none")
        #expect(try package.imageEntries().map(\.path) == ["etc", "etc/a.conf"])
        #expect(package.verify().isOK)
    }

    @Test("gpkg-1 out of first place is still a gpkg (Portage's wrong-order fallback); without it, a problem")
    func formatMarker() throws {
        // Given the real gpkg with gpkg-1 moved last, and with gpkg-1 dropped
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let moved = try BinaryPackage(contentsOf: BinpkgBuilder.rewrite(Self.gpkg, "last", "gpkg-1", in: directory))
        let dropped = try BinaryPackage(contentsOf: BinpkgBuilder.rewrite(Self.gpkg, "drop", "gpkg-1", in: directory))

        // Then both read as gpkg; only the one without the marker fails verification, naming it
        #expect(moved.format == .gpkg && moved.gpkg?.hasFormatMarker == true)
        #expect(moved.verify().isOK)
        #expect(dropped.format == .gpkg && dropped.gpkg?.hasFormatMarker == false)
        #expect(dropped.verify().problems == [.missingFormatMarker, .missingMember("gpkg-1")])
    }

    @Test("containers Portage refuses are refused: a duplicate member, a second directory",
          arguments: [("duplicate", "image.tar.xz", "appears twice"), ("rehome", "Manifest", "both")])
    func invalidLayout(change: String, member: String, words: String) throws {
        // Given the real gpkg rewritten with a duplicate member or a member in a second directory
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let url = try BinpkgBuilder.rewrite(Self.gpkg, change, member, in: directory)

        // When read, then it is refused as an invalid gpkg layout
        let error = try #require(Result { () throws(BinpkgError) in try BinaryPackage(contentsOf: url) }.error)
        guard case .invalidLayout(let detail) = error.kind else { Issue.record("got \(error)"); return }
        #expect(detail.contains(words))
    }

    @Test("a gpkg compressed as a whole, empty files, garbage and directories are not binpkgs",
          arguments: ["gzipped", "empty", "text", "directory", "missing"])
    func notABinpkg(kind: String) throws {
        // Given something that is not a binary package
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let url = directory.appendingPathComponent(kind)
        switch kind {
        case "gzipped":
            let (status, _) = try ExampleFarm.run("/bin/sh", ["-c", "gzip -c '\(Self.gpkg.path)' > '\(url.path)'"])
            try #require(status == 0)
        case "empty": try Data().write(to: url)
        case "text": try Data("hello, world\n".utf8).write(to: url)
        case "directory": try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        default: break
        }

        // When read, then a typed error names the file
        let error = try #require(Result { () throws(BinpkgError) in try BinaryPackage(contentsOf: url) }.error)
        switch (kind, error.kind) {
        case ("directory", .unreadable), ("missing", .unreadable): break
        case (_, .notABinpkg): #expect(["gzipped", "empty", "text"].contains(kind))
        default: Issue.record("\(kind): got \(error)")
        }
        #expect(error.problem.hasPrefix(url.path))
    }

    @Test("an xpak payload with unknown compression reads its metadata but not its image")
    func unknownPayloadCompression() throws {
        // Given a hand-made xpak whose payload is 4 bytes of `tar!` (no known magic)
        let file = HandMadeXPAK.file(entries: [("CATEGORY", Array("app-misc\n".utf8)), ("PF", Array("x-1\n".utf8))])

        // When read, listed and verified
        let package = try BinaryPackage(data: file, path: "hand-made")
        let listing = Result { () throws(BinpkgError) in try package.imageEntries() }

        // Then the metadata is there, the compression unknown, and the payload named as unreadable
        #expect(package.metadata.cpv == "app-misc/x-1")
        #expect(package.payloadCompression == nil)
        guard case .corruptArchive(let member, _)? = listing.error?.kind else { Issue.record("got \(listing)"); return }
        #expect(member == "payload")
        #expect(package.verify().problems.map(\.member) == ["payload"])
    }
}
