import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("Cross-checked against Portage's own binpkg code",
       .enabled(if: RealPortage.isInstalled, "needs Portage in .venv (run `make bootstrap`); present in CI"))
struct PortageCrossCheckTests {
    @Test("metadata matches Portage key for key, byte for byte", arguments: ImageSample.all)
    func metadataMatchesPortage(sample: ImageSample) throws {
        // Given a real binpkg, read by farmctl and by Portage (gpkg.get_metadata / xpak.tbz2.get_data)
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let package = try BinaryPackage(contentsOf: sample.url)
        let portage = try RealPortage.metadata(of: sample.url, in: directory)

        // Then the keys and every raw value agree
        #expect(Set(package.metadataKeys) == Set(portage.keys))
        #expect(package.metadataKeys.count == portage.count)
        for (key, value) in portage {
            #expect(package.rawMetadata[key] == value, "\(sample.file): \(key)")
        }
    }

    @Test("a gpkg written by Portage reads, verifies and extracts to the same tree as Portage's own extraction",
          arguments: ["zstd", "xz", "bzip2", "gzip", "lz4"])
    func portageBuiltGPKG(compression: String) throws {
        // Given an image with a setuid file, a hardlink, absolute and relative symlinks, packed by gpkg.compress
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let root = directory.appendingPathComponent("root")
        try Self.makeTree(root)
        let package = directory.appendingPathComponent("test-pkg-1.gpkg.tar")
        try RealPortage.makeGPKG(of: root, to: package, compression: compression)

        // When farmctl reads, verifies and extracts it, and Portage extracts it too
        let binpkg = try BinaryPackage(contentsOf: package)
        let ours = directory.appendingPathComponent("ours")
        let report = try binpkg.extractImage(into: ours)
        let theirs = directory.appendingPathComponent("theirs")
        try FileManager.default.createDirectory(at: theirs, withIntermediateDirectories: false)
        let (status, output) = try RealPortage.extract(package, into: theirs)

        // Then the compression is the member suffix, it verifies, and both trees are identical
        #expect(binpkg.format == .gpkg)
        #expect(binpkg.payloadCompression?.rawValue == compression)
        #expect(binpkg.metadata.pf == "test-pkg-1")
        #expect(binpkg.verify().isOK, "\(binpkg.verify())")
        #expect(try binpkg.imageEntries().contains { $0.type == .hardlink && ["usr/bin/tool", "usr/bin/tool2"].contains($0.linkTarget) })
        #expect(report.count(.file) + report.count(.hardlink) == 3)
        try #require(status == 0, "Portage failed to extract: \(output)")
        #expect(try TreeSnapshot(ours) == TreeSnapshot(theirs))
        #expect(try TreeSnapshot(ours).entries["usr/bin/tool"]?.mode == 0o4755)
    }

    static func makeTree(_ root: URL) throws {
        let manager = FileManager.default
        for directory in ["usr/bin", "usr/lib", "etc"] {
            try manager.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        try Data("#!/bin/sh\necho tool\n".utf8).write(to: root.appendingPathComponent("usr/bin/tool"))
        try #require(chmod(root.appendingPathComponent("usr/bin/tool").path, 0o4755) == 0)
        try manager.linkItem(at: root.appendingPathComponent("usr/bin/tool"), to: root.appendingPathComponent("usr/bin/tool2"))
        try Data("key = value\n".utf8).write(to: root.appendingPathComponent("etc/tool.conf"))
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("usr/lib/libfoo.so").path,
                                       withDestinationPath: "/usr/lib/libfoo.so.1")
        try manager.createSymbolicLink(atPath: root.appendingPathComponent("usr/bin/t").path, withDestinationPath: "tool")
    }
}

/// What a directory tree holds, for comparing two extractions: per relative path, type, mode, content or target.
struct TreeSnapshot: Equatable {
    struct Node: Equatable {
        var type: mode_t
        var mode: mode_t
        var content: Data?
        var target: String?
    }

    var entries: [String: Node] = [:]

    init(_ root: URL) throws {
        let walker = try #require(FileManager.default.enumerator(atPath: root.path))
        while let relative = walker.nextObject() as? String {
            let path = root.appendingPathComponent(relative).path
            var info = stat()
            try #require(lstat(path, &info) == 0)
            let type = info.st_mode & S_IFMT
            entries[relative] = Node(
                type: type, mode: info.st_mode & 0o7777,
                content: type == S_IFREG ? FileManager.default.contents(atPath: path) : nil,
                target: type == S_IFLNK ? try FileManager.default.destinationOfSymbolicLink(atPath: path) : nil)
        }
    }
}
