import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct ClassKernelTests {
    /// A class directory whose class.toml has `[kernel]` on line 3 and `lines` from line 4, beside a fragment,
    /// a module and a base config file.
    static func files(_ lines: [String], extra: [String: String] = [:]) -> [String: String] {
        var files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n[kernel]\n" + lines.joined(separator: "\n") + "\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": "",
                     "kernel/diskless.fragment": "CONFIG_NFS_FS=y\n", "kernel/base.config": "CONFIG_X86_32=y\n",
                     "kernel/farmmark/Kbuild": "obj-m := farmmark.o\n", "kernel/farmmark/farmmark.c": "\n", "src/Makefile": "\n"]
        for (path, text) in extra { files[path] = text }
        return files
    }

    static let complete = ["source = \"../src\"", "version = \"6.1\"", "config = \"tinyconfig\"",
                           "fragments = [\"../kernel/diskless.fragment\"]", "modules = [\"../kernel/farmmark\"]"]

    func load(_ lines: [String], extra: [String: String] = [:]) throws -> (ClassKernel?, URL) {
        try withFiles(Self.files(lines, extra: extra)) { dir in
            (try ClassProfile.load(from: dir.appendingPathComponent("PIII")).kernel, dir.standardizedFileURL)
        }
    }

    @Test func aKernelTableIsReadWithPathsFromTheClassDirectory() throws {
        // Given a [kernel] table with relative paths
        let (kernel, dir) = try load(Self.complete)
        let loaded = try #require(kernel)
        // Then the paths are resolved from the class directory, the base is a kbuild target, ARCH is i386 for x86
        #expect(loaded.source.value.path == dir.appendingPathComponent("src").path)
        #expect(loaded.config.value == .target("tinyconfig"))
        #expect(loaded.fragments.map(\.value.lastPathComponent) == ["diskless.fragment"] && loaded.fragments[0].location.line == 7)
        #expect(loaded.modules.map(\.value.lastPathComponent) == ["farmmark"])
        #expect(loaded.kbuildArch == "i386")
        // and a version matches itself and its point releases only
        #expect(loaded.accepts(kernelVersion: "6.1") && loaded.accepts(kernelVersion: "6.1.192"))
        #expect(!loaded.accepts(kernelVersion: "6.10.1") && !loaded.accepts(kernelVersion: "6.2"))
    }

    @Test func aConfigFileIsABaseToo() throws {
        // Given config names a file
        let (kernel, _) = try load(["source = \"../src\"", "version = \"6.1\"", "config = \"../kernel/base.config\""])
        // Then the base is that file
        guard case .file(let url) = kernel?.config.value else { Issue.record("not a file base: \(String(describing: kernel))"); return }
        #expect(url.path.hasSuffix("/kernel/base.config"))
    }

    @Test func withoutAKernelTableTheClassHasNoKernel() throws {
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n",
                     "PIII/make.conf": "CFLAGS=\"-O2\"\n", "PIII/packages": ""]
        #expect(try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).kernel } == nil)
    }

    @Test func aMissingSourceIsReportedWhenABuildNeedsIt() throws {
        // Given a source path that does not exist, the profile still loads (queries work)
        try withFiles(Self.files(["source = \"/nonexistent/linux.tar.xz\"", "version = \"6.1\"", "config = \"tinyconfig\""])) { dir in
            let kernel = try #require(try ClassProfile.load(from: dir.appendingPathComponent("PIII")).kernel)
            // When a build checks it, Then the error names class.toml line 4 and how to get a source
            expectConfigError(.invalidValue, file: "class.toml", line: 4, allOf: ["/nonexistent/linux.tar.xz", "does not exist", "linux-source"]) {
                try kernel.checkSource()
            }
        }
    }

    static let invalid: [(line: String, fragments: [String])] = [
        ("version = \"6.1-rc1\"", ["`version` in [kernel] in class.toml is `6.1-rc1`, not a kernel version"]),
        ("config = \"../kernel/missing.config\"", ["not a readable file nor a kbuild target"]),
        ("fragments = [\"../kernel/nothere.fragment\"]", ["nothere.fragment, which is not a file"]),
        ("modules = [\"../kernel\"]", ["not a module directory with a Kbuild or Makefile"]),
        ("modules = [\"../kernel/farmmark\", \"../kernel/farmmark/\"]", ["two module directories named farmmark"]),
    ]

    @Test(arguments: invalid.indices)
    func invalidKernelSettingsNameFileAndLine(_ index: Int) {
        let example = Self.invalid[index]
        // Given source on line 4, version 5, config 6 and the mistake on line 7 (or replacing the line it sets)
        var lines = ["source = \"../src\"", "version = \"6.1\"", "config = \"tinyconfig\""]
        let key = String(example.line.prefix { $0 != " " })
        let line: Int
        if let index = lines.firstIndex(where: { $0.hasPrefix(key + " ") }) { lines[index] = example.line; line = index + 4 } else {
            lines.append(example.line); line = 7
        }
        expectConfigError(.invalidValue, file: "class.toml", line: line, allOf: example.fragments) { _ = try load(lines) }
    }

    @Test func missingRequiredKeysAndUnknownOnesAreRefused() {
        expectConfigError(.missingKey, file: "class.toml", line: 3, allOf: ["missing the required key `version`"]) {
            _ = try load(["source = \"../src\"", "config = \"tinyconfig\""])
        }
        expectConfigError(.unknownKey, file: "class.toml", line: 7, allOf: ["unknown key `fragment`", "did you mean `fragments`?"]) {
            _ = try load(["source = \"../src\"", "version = \"6.1\"", "config = \"tinyconfig\"", "fragment = \"x\""])
        }
    }

    @Test func sharedOverlaysComeBeforeTheClassOverlay() throws {
        // Given overlays naming a shared directory and a class overlay/
        var files = ClassBootOptionsTests.files([])
        files["PIII/class.toml"] = "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\noverlays = [\"../shared\"]\n"
        files["shared/boot/stateless.sh"] = "#!/bin/sh\n"
        files["PIII/overlay/etc/motd"] = "hi\n"
        let overlays = try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).overlays }
        // Then the shared one is copied first
        #expect(overlays.map(\.lastPathComponent) == ["shared", "overlay"])
        // and a missing one is refused at its line
        files["PIII/class.toml"] = "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\noverlays = [\"../nothere\"]\n"
        expectConfigError(.invalidValue, file: "class.toml", line: 3, allOf: ["nothere, which is not a directory"]) {
            _ = try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")) }
        }
    }
}
