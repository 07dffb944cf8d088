@testable import Binpkg
import Testing

@Suite("ExtractionGuard: the extraction policy without any I/O")
struct ExtractionGuardTests {
    /// An xpak entry location for `name`, with a symlink or hardlink target.
    func at(_ name: String, symlink: String? = nil, hardlink: String? = nil) throws -> ImageLocation {
        try ImageLocation(path: ImagePath(tarName: Array(name.utf8), naming: .xpak),
                          hardlinkTarget: hardlink.map { (target) throws(ImagePath.Refusal) in
                              try ImagePath(tarName: Array(target.utf8), naming: .xpak)
                          },
                          symlinkTarget: symlink.map { Array($0.utf8) })
    }

    /// Runs the entries through one guard; returns the reason the first refused one gave, nil when all pass.
    func refusal(_ entries: [(ImageEntry.EntryType, ImageLocation)], devices: Bool = false) -> String? {
        var policy = ExtractionGuard(allowDeviceNodes: devices)
        for (type, location) in entries {
            do { try policy.admit(type, at: location) } catch { return error.reason }
        }
        return nil
    }

    @Test("a directory listed after its contents is fine; a file or link where a directory was made is not")
    func implicitDirectories() throws {
        // Given `usr/bin/q` first, which makes `usr` and `usr/bin` implicitly
        let first = (ImageEntry.EntryType.file, try at("./usr/bin/q"))

        // Then listing `usr/bin` as a directory passes, but a file or symlink named `usr` is refused
        #expect(refusal([first, (.directory, try at("./usr/bin"))]) == nil)
        #expect(refusal([first, (.file, try at("./usr"))])?.contains("replace a directory") == true)
        #expect(refusal([first, (.symlink, try at("./usr", symlink: "/"))])?.contains("replace a directory") == true)
    }

    @Test("a hardlink may copy a symlink only where its relative target still stays inside")
    func hardlinkToSymlink() throws {
        // Given `a/up -> ..` (inside: it resolves to the root), then hardlinks to it at the root and one level down
        let symlink = (ImageEntry.EntryType.symlink, try at("./a/up", symlink: ".."))

        // Then the link one level down is fine, the one at the root would climb out and is refused
        #expect(refusal([symlink, (.hardlink, try at("./b/up2", hardlink: "./a/up"))]) == nil)
        #expect(refusal([symlink, (.hardlink, try at("./up2", hardlink: "./a/up"))])?.contains("climbs above") == true)
    }

    @Test("hardlinks to directories, to themselves or through a file are refused")
    func badHardlinks() throws {
        #expect(refusal([(.directory, try at("./d")), (.hardlink, try at("./h", hardlink: "./d"))])?.contains("is a directory") == true)
        #expect(refusal([(.hardlink, try at("./h", hardlink: "./h"))])?.contains("not an entry extracted before") == true)
        #expect(refusal([(.file, try at("./f")), (.file, try at("./f/g"))])?.contains("not a directory") == true)
    }

    @Test("symlink targets: absolute kept, relative judged from the entry's directory",
          arguments: [("./a/b/l", "../../x", true), ("./a/b/l", "../../../x", false), ("./l", "/etc/passwd", true),
                      ("./l", "a/../..", false), ("./a/l", "./../b/./c", true)])
    func symlinkTargets(name: String, target: String, allowed: Bool) throws {
        #expect((refusal([(.symlink, try at(name, symlink: target))]) == nil) == allowed)
    }

    @Test("devices and FIFOs pass only when allowed", arguments: [ImageEntry.EntryType.characterDevice, .blockDevice, .fifo])
    func devices(type: ImageEntry.EntryType) throws {
        #expect(refusal([(type, try at("./dev/x"))]) != nil)
        #expect(refusal([(type, try at("./dev/x"))], devices: true) == nil)
    }

    @Test("names: .. refused, a leading / dropped for xpak and refused for gpkg and stages, gpkg needs image/")
    func names() throws {
        func path(_ name: String, _ naming: ImagePath.Naming) -> String? {
            try? ImagePath(tarName: Array(name.utf8), naming: naming).text
        }
        #expect(path("./usr//bin/./q", .xpak) == "usr/bin/q")
        #expect(path("/usr/bin/q", .xpak) == "usr/bin/q")
        #expect(path("usr/../q", .xpak) == nil)
        #expect(path("image/usr/bin/q", .gpkg) == "usr/bin/q")
        #expect(path("./image/usr", .gpkg) == "usr")
        #expect(path("/image/usr", .gpkg) == nil)
        #expect(path("./usr/bin/sh", .stage) == "usr/bin/sh")
        #expect(path("/etc/passwd", .stage) == nil)
        #expect(path("./usr/../../x", .stage) == nil)
        #expect(path("usr/bin/q", .gpkg) == nil)
        #expect(path("", .xpak) == nil)
    }
}
