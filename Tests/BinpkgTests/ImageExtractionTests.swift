import Binpkg
import Foundation
import Testing
import TestSupport

@Suite("Extracting images: real packages, modes, links, targets")
struct ImageExtractionTests {
    @Test("every real image extracts completely, with nothing left beside it", arguments: ImageSample.all)
    func realImage(sample: ImageSample) throws {
        // Given a real binpkg and a target directory that does not exist yet
        let copy = try Fixtures.copyToTemporary(sample.url)
        defer { discard(copy.deletingLastPathComponent()) }
        let parent = copy.deletingLastPathComponent()
        let target = parent.appendingPathComponent("image")

        // When its image is extracted
        let report = try BinaryPackage(contentsOf: copy).extractImage(into: target)

        // Then counts match the listing, the probed entry is on disk as recorded, and no staging directory remains
        #expect(report.count(.file) == sample.files)
        #expect(report.count(.directory) == sample.directories)
        #expect(report.count(.symlink) == sample.symlinks)
        #expect(report.directory == target)
        let beside = try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted()
        #expect(Set(beside) == [copy.lastPathComponent, "image"])
        let snapshot = try TreeSnapshot(target)
        #expect(snapshot.entries.count == sample.files + sample.directories + sample.symlinks)
        guard let probe = sample.probe else { return }
        let node = try #require(snapshot.entries[probe.path])
        #expect(node.mode == probe.mode || node.type == S_IFLNK)
        if let expected = probe.target { #expect(node.target == expected) } else { #expect(node.content?.count == probe.size) }
    }

    @Test("modes, setuid, read-only directories and absolute symlink targets are kept verbatim")
    func modesAndLinks() throws {
        // Given a hand-built xpak with a setuid file, a read-only directory holding a file, and two symlinks
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let package = try BinpkgBuilder.make("xpak", [
            .dir("./usr"), .dir("./usr/lib"), .file("./usr/lib/libfoo.so.1", "elf"), .file("./usr/bin/su", "su", mode: 0o4711),
            .symlink("./usr/lib/libfoo.so", to: "/usr/lib/libfoo.so.1"), .symlink("./usr/lib/libfoo.so.0", to: "libfoo.so.1"),
            TarEntry(name: "./srv/ro", type: "dir", mode: 0o555), .file("./srv/ro/inside", "in", mode: 0o400),
        ], in: directory)

        // When it is extracted as root without ownership
        let target = directory.appendingPathComponent("root")
        let report = try BinaryPackage(contentsOf: package).extractImage(into: target)
        let tree = try TreeSnapshot(target)

        // Then every mode is as recorded and both symlink targets are unchanged
        #expect(tree.entries["usr/bin/su"]?.mode == 0o4711)
        #expect(tree.entries["srv/ro"]?.mode == 0o555)
        #expect(tree.entries["srv/ro/inside"]?.content == Data("in".utf8))
        #expect(tree.entries["usr/lib/libfoo.so"]?.target == "/usr/lib/libfoo.so.1")
        #expect(tree.entries["usr/lib/libfoo.so.0"]?.target == "libfoo.so.1")
        #expect(report.count(.symlink) == 2 && report.bytes == 7)
        #expect(try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int == 0o755)
    }

    @Test("an xpak name with a leading / loses it, as GNU tar does for Portage; it is reported")
    func xpakAbsoluteName() throws {
        // Given an xpak whose image holds `/etc/abs` (GNU tar 1.34: "Removing leading `/' from member names")
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let package = try BinpkgBuilder.make("xpak", [.file("/etc/abs", "abs\n"), .file("./etc/rel")], in: directory)

        // When listed and extracted
        let binpkg = try BinaryPackage(contentsOf: package)
        let report = try binpkg.extractImage(into: directory.appendingPathComponent("root"))

        // Then it lands at etc/abs inside the target, and the report says its slash was dropped
        #expect(try binpkg.imageEntries().map(\.path) == ["etc/abs", "etc/rel"])
        #expect(FileManager.default.contents(atPath: directory.appendingPathComponent("root/etc/abs").path) == Data("abs\n".utf8))
        #expect(report.droppedLeadingSlashes == ["etc/abs"])
    }

    @Test("the target must be absent or an empty directory; anything else is left untouched",
          arguments: ["absent", "empty", "nonempty", "file"])
    func targetRules(state: String) throws {
        // Given the tape binpkg and a target in the given state
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let target = directory.appendingPathComponent("root")
        switch state {
        case "empty": try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        case "nonempty":
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
            try Data("keep".utf8).write(to: target.appendingPathComponent("mine"))
        case "file": try Data("keep".utf8).write(to: target)
        default: break
        }
        let package = try BinaryPackage(contentsOf: ImageSample.named("tape-0-r2-1.xpak").url)

        // When it is extracted there
        let result = Result { () throws(BinpkgError) in try package.extractImage(into: target) }

        // Then absent and empty targets are filled; the others are refused and left as they were
        switch state {
        case "absent", "empty":
            #expect(try result.get().count(.file) == 1)
        default:
            guard case .extractionFailed(let named, _)? = result.error?.kind else { Issue.record("got \(result)"); return }
            #expect(named == target.path)
            let kept = state == "file" ? target : target.appendingPathComponent("mine")
            #expect(FileManager.default.contents(atPath: kept.path) == Data("keep".utf8))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix(".root") }.isEmpty)
    }

    @Test("device nodes and FIFOs are created only when allowed", .enabled(if: geteuid() == 0, "mknod needs root"),
          arguments: [("char", ImageEntry.EntryType.characterDevice, S_IFCHR), ("fifo", .fifo, S_IFIFO)])
    func allowedDevices(tarType: String, type: ImageEntry.EntryType, fileType: mode_t) throws {
        // Given an xpak holding one device node or FIFO
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let package = try BinaryPackage(contentsOf: BinpkgBuilder.make("xpak", [.device("./dev/node", type: tarType)], in: directory))

        // When extracted with allowDeviceNodes
        let report = try package.extractImage(into: directory.appendingPathComponent("root"),
                                               options: ExtractionOptions(allowDeviceNodes: true))

        // Then the node exists with its type
        #expect(report.count(type) == 1)
        #expect(try TreeSnapshot(directory.appendingPathComponent("root")).entries["dev/node"]?.type == fileType)
    }

    @Test("ownership is restored only when asked for", .enabled(if: geteuid() == 0, "chown needs root"),
          arguments: [false, true])
    func ownership(preserve: Bool) throws {
        // Given qmerge-test 1.3, whose entries belong to 501:500
        let directory = try Fixtures.temporaryDirectory()
        defer { discard(directory) }
        let target = directory.appendingPathComponent("root")

        // When extracted with or without preserveOwnership
        let report = try BinaryPackage(contentsOf: ImageSample.named("qmerge-test-1.3.tbz2").url)
            .extractImage(into: target, options: ExtractionOptions(preserveOwnership: preserve))

        // Then files belong to 501:500 only when asked, else to the user running farmctl
        let attributes = try FileManager.default.attributesOfItem(atPath: target.appendingPathComponent("etc/some.conf").path)
        #expect(report.ownershipRestored == preserve)
        #expect(attributes[.ownerAccountID] as? Int == (preserve ? 501 : Int(geteuid())))
        #expect(attributes[.groupOwnerAccountID] as? Int == (preserve ? 500 : Int(getegid())))
    }
}
