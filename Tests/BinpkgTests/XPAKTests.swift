import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("XPAK trailers of real binpkgs")
struct XPAKTests {
    @Test("every real xpak/tbz2 trailer parses with its known keys", arguments: BinpkgSample.all)
    func parsesRealFile(sample: BinpkgSample) throws {
        // Given a real binary package from testdata
        // When its trailer is read from the end of the file
        let xpak = try XPAK(contentsOf: sample.url)

        // Then the keys and the values checked with Python are there
        #expect(xpak.keys.count == sample.keyCount)
        #expect(Set(xpak.keys) == Set(xpak.values.keys))
        #expect(xpak.value("CATEGORY") == sample.category)
        #expect(xpak.value("PF") == sample.pf)
        #expect(xpak.value("CHOST") == sample.chost)
        #expect(xpak.value("CFLAGS") == sample.cflags)
        #expect(xpak.value("BUILD_ID").flatMap { Int($0) } == sample.buildID)
        #expect(xpak.value("BUILD_TIME") == String(sample.buildTime))
    }

    @Test("raw values keep the trailing newline; value(_:) trims exactly one")
    func rawAndTrimmed() throws {
        // Given bzip2's binpkg, whose BUILD_ID alone has no trailing newline
        let xpak = try XPAK(contentsOf: BinpkgSample.named("bzip2-1.0.8-r4-2.xpak").url)

        // Then raw values are untouched and the convenience trims one newline only
        #expect(xpak.values["CATEGORY"] == "app-arch\n")
        #expect(xpak.value("CATEGORY") == "app-arch")
        #expect(xpak.values["BUILD_ID"] == "1")
        #expect(xpak.value("BUILD_ID") == "1")
        #expect(xpak.trimmedValues["SLOT"] == "0/1")
        #expect(xpak.value("NO_SUCH_KEY") == nil)
    }

    @Test("keys keep index order and binary values keep their bytes")
    func orderAndBinaryValues() throws {
        // Given portage-utils' binpkg (index order checked with Python: BDEPEND first, 33 keys)
        let xpak = try XPAK(contentsOf: BinpkgSample.named("portage-utils-0.96-r1-2.xpak").url)

        // Then the first key is the first index entry and environment.bz2 is a bzip2 stream of 17058 bytes
        #expect(xpak.keys.first == "BDEPEND")
        let environment = try #require(xpak.rawData["environment.bz2"])
        #expect(environment.count == 17058)
        #expect(environment.prefix(4) == Data("BZh9".utf8))
    }

    @Test("reading from memory gives the same result as reading from the file", arguments: BinpkgSample.all)
    func memoryMatchesFile(sample: BinpkgSample) throws {
        // Given the whole file in memory
        let data = try Data(contentsOf: sample.url)

        // When both readers parse it
        let fromMemory = try XPAK(fileData: data, path: sample.file)
        let fromFile = try XPAK(contentsOf: sample.url)

        // Then they agree
        #expect(fromMemory == fromFile)
    }

    @Test("only the trailer is read: a 4 GiB sparse payload costs nothing")
    func readsOnlyTheTrailer() throws {
        // Given tape's trailer written after a 4 GiB hole (reading the payload would allocate 4 GiB)
        let directory = try TemporaryDirectory()
        let original = try Data(contentsOf: BinpkgSample.named("tape-0-r2-1.xpak").url)
        let trailer = original.suffix(9442 + 8)
        let url = try directory.write(Data(), to: "huge.xpak")
        let handle = try FileHandle(forWritingTo: url)
        try handle.seek(toOffset: 4 << 30)
        try handle.write(contentsOf: trailer)
        try handle.close()

        // When the trailer is read with a small memory limit
        let xpak = try XPAK(contentsOf: url, maximumSize: 16 << 10)

        // Then the metadata is there
        #expect(xpak.value("PF") == "tape-0-r2")
    }

    @Test("value(_:) trims exactly one trailing newline; raw values keep all")
    func trimsOneNewline() throws {
        // Given a hand-made trailer with a doubled newline and an empty value; when read; then one newline is trimmed
        let file = HandMadeXPAK.file(entries: [("DESCRIPTION", Array("two\n\n".utf8)), ("EMPTY", [])])
        let xpak = try XPAK(fileData: file, path: "hand-made")
        #expect(xpak.values["DESCRIPTION"] == "two\n\n")
        #expect(xpak.value("DESCRIPTION") == "two\n")
        #expect(xpak.value("EMPTY") == "")
        #expect(xpak.keys == ["DESCRIPTION", "EMPTY"])
    }
}
