import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("BinaryPackage: real xpak and gpkg files")
struct BinaryPackageTests {
    @Test("format and payload compression come from the content", arguments: ImageSample.all)
    func formatAndCompression(sample: ImageSample) throws {
        // Given a real binpkg copied under a name that says nothing about its format
        let copy = try Fixtures.copyToTemporary(sample.url)
        defer { discard(copy.deletingLastPathComponent()) }
        let anonymous = copy.deletingLastPathComponent().appendingPathComponent("package.bin")
        try FileManager.default.moveItem(at: copy, to: anonymous)

        // When it is read
        let package = try BinaryPackage(contentsOf: anonymous)

        // Then format and compression are the ones found with bzip2/xz/zstd and Python's tarfile
        #expect(package.format == sample.format)
        #expect(package.payloadCompression == sample.compression)
        #expect((package.gpkg != nil) == (sample.format == .gpkg))
    }

    @Test("xpak metadata is the XPAK trailer's, every key in index order", arguments: BinpkgSample.all)
    func xpakMetadata(sample: BinpkgSample) throws {
        // Given a real xpak; when read as a BinaryPackage and by the trailer reader alone
        let package = try BinaryPackage(contentsOf: sample.url)
        let xpak = try XPAK(contentsOf: sample.url)

        // Then both agree, and the values checked with Python are there
        #expect(package.metadataKeys == xpak.keys)
        #expect(package.rawMetadata == xpak.rawData)
        #expect(package.metadata.category == sample.category)
        #expect(package.metadata.pf == sample.pf)
        #expect(package.metadata.chost == sample.chost)
        #expect(package.metadata.buildTime == sample.buildTime)
    }

    @Test("gpkg metadata comes from metadata.tar.xz, in member order")
    func gpkgMetadata() throws {
        // Given the signed onepassword-cli gpkg (metadata.tar.xz read with `tar tvJf`/`tar xOJf`: 24 members)
        let package = try BinaryPackage(contentsOf: ImageSample.gpkg.url)

        // Then every metadata/<KEY> file is a key, in the order of the tar
        #expect(package.metadataKeys.count == 24)
        #expect(package.metadataKeys.first == "onepassword-cli-0.ebuild")
        #expect(package.metadataKeys.last == "BUILD_ID")
        #expect(package.metadata.cpv == "acct-group/onepassword-cli-0")
        #expect(package.metadata.slot == "0")
        #expect(package.metadata.eapi == "8")
        #expect(package.metadata.buildID == 1)
        #expect(package.metadata.chost == "aarch64-unknown-linux-gnu")
        #expect(package.rawMetadata["environment.bz2"]?.count == 7334)
        #expect(package.rawMetadata["environment.bz2"]?.prefix(3) == Data("BZh".utf8))
    }

    @Test("image listing: counts, paths without ./ or image/, and one entry's fields", arguments: ImageSample.all)
    func imageListing(sample: ImageSample) throws {
        // Given a real binpkg; when its image is listed
        let entries = try BinaryPackage(contentsOf: sample.url).imageEntries()

        // Then the counts match Python's listing, no path keeps a prefix, and the probed entry is exact
        #expect(entries.filter { $0.type == .file }.count == sample.files)
        #expect(entries.filter { $0.type == .directory }.count == sample.directories)
        #expect(entries.filter { $0.type == .symlink }.count == sample.symlinks)
        #expect(entries.allSatisfy { !$0.path.hasPrefix("./") && !$0.path.hasPrefix("image/") && !$0.path.hasPrefix("/") })
        guard let probe = sample.probe else { return }
        let entry = try #require(entries.first { $0.path == probe.path })
        #expect(entry.type == probe.type)
        #expect(entry.mode == probe.mode)
        #expect(entry.size == probe.size)
        #expect(entry.linkTarget == probe.target)
    }

    @Test("owners are listed by number and name")
    func owners() throws {
        // Given qmerge-test 1.3 (uid 501, gid 500, no names) and 2.0 (names ruurd/merlijn), per `tar tv`
        let old = try BinaryPackage(contentsOf: ImageSample.named("qmerge-test-1.3.tbz2").url).imageEntries()
        let new = try BinaryPackage(contentsOf: ImageSample.named("qmerge-test-2.0.tbz2").url).imageEntries()

        // Then numbers and names are as recorded
        #expect(old.allSatisfy { $0.uid == 501 && $0.gid == 500 })
        #expect(new.allSatisfy { $0.uname == "ruurd" && $0.gname == "merlijn" })
    }

    @Test("reading from memory gives what reading the file gives", arguments: ImageSample.all)
    func memoryMatchesFile(sample: ImageSample) throws {
        // Given the whole file in memory
        let data = try Data(contentsOf: sample.url)

        // When both are read
        let fromFile = try BinaryPackage(contentsOf: sample.url)
        let fromMemory = try BinaryPackage(data: data, path: sample.url.path)

        // Then they agree on everything
        #expect(fromMemory.format == fromFile.format)
        #expect(fromMemory.metadataKeys == fromFile.metadataKeys)
        #expect(fromMemory.rawMetadata == fromFile.rawMetadata)
        #expect(fromMemory.gpkg == fromFile.gpkg)
        #expect(try fromMemory.imageEntries() == fromFile.imageEntries())
        #expect(fromMemory.verify().isOK && fromFile.verify().isOK)
    }
}
