import Binpkg
import Foundation
import Testing
import TestSupport

/// A hostile image: entries under the format's image prefix (`./` for xpak, `image/` for gpkg).
struct HostileCase: Sendable, CustomStringConvertible {
    let description: String
    /// The entries, given the prefix and an absolute directory outside the target that must stay empty.
    let entries: @Sendable (_ prefix: String, _ outside: String) -> [TarEntry]
    /// How the refused entry's name ends, and words from the reason.
    let entry: String
    let reason: String
    /// Whether Portage's own gpkg extraction (`gpkg.decompress`) refuses it too (checked when the venv is there).
    let portageRefuses: Bool
    var formats = ["xpak", "gpkg"]

    static let all: [HostileCase] = [
        .init(description: "../ escape", entries: { p, _ in [.dir(p + "usr"), .file(p + "usr/../../escape")] },
              entry: "usr/../../escape", reason: "`..`", portageRefuses: true),
        .init(description: "absolute path", entries: { _, _ in [.file("/etc/passwd")] },
              entry: "/etc/passwd", reason: "absolute path", portageRefuses: true, formats: ["gpkg"]),
        .init(description: "symlink out, then a write through it",
              entries: { p, outside in [.symlink(p + "usr", to: outside), .file(p + "usr/evil")] },
              entry: "usr/evil", reason: "its parent usr is a symlink", portageRefuses: true),
        .init(description: "symlink inside, then a write through it",
              entries: { p, _ in [.dir(p + "real"), .symlink(p + "alias", to: "real"), .file(p + "alias/f")] },
              entry: "alias/f", reason: "its parent alias is a symlink", portageRefuses: false),
        .init(description: "relative symlink climbing above the root",
              entries: { p, _ in [.dir(p + "usr"), .symlink(p + "usr/evil", to: "../../../etc")] },
              entry: "usr/evil", reason: "climbs above the image root", portageRefuses: false),
        .init(description: "hardlink to an absolute path", entries: { p, _ in [.hardlink(p + "hl", to: "/etc/passwd")] },
              entry: "hl", reason: "", portageRefuses: true),
        .init(description: "hardlink climbing out", entries: { p, _ in [.hardlink(p + "hl", to: p + "../../etc/passwd")] },
              entry: "hl", reason: "`..`", portageRefuses: true),
        .init(description: "hardlink to an entry not extracted yet",
              entries: { p, _ in [.hardlink(p + "hl", to: p + "later"), .file(p + "later")] },
              entry: "hl", reason: "not an entry extracted before it", portageRefuses: true),
        .init(description: "character device", entries: { p, _ in [.device(p + "dev/null", type: "char")] },
              entry: "dev/null", reason: "allowDeviceNodes", portageRefuses: true),
        .init(description: "FIFO", entries: { p, _ in [.device(p + "run/pipe", type: "fifo")] },
              entry: "run/pipe", reason: "allowDeviceNodes", portageRefuses: true),
        .init(description: "same path twice, file then symlink",
              entries: { p, _ in [.file(p + "x"), .symlink(p + "x", to: "/etc/shadow")] },
              entry: "x", reason: "same path", portageRefuses: true),
        .init(description: "gpkg entry outside image/", entries: { _, _ in [.dir("image/usr"), .file("other/file")] },
              entry: "other/file", reason: "outside the image/ directory", portageRefuses: false, formats: ["gpkg"]),
    ]

    static var byFormat: [(HostileCase, String)] { all.flatMap { item in item.formats.map { (item, $0) } } }
}

@Suite("Extracting hostile images: refused, named, nothing written")
struct HostileImageTests {
    /// Builds the case's package in a fresh directory beside an empty `outside` directory.
    func build(_ hostile: HostileCase, _ format: String) throws -> (directory: URL, package: URL, outside: URL) {
        let directory = try Fixtures.temporaryDirectory()
        let outside = directory.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: false)
        let entries = hostile.entries(format == "gpkg" ? "image/" : "./", outside.path)
        return (directory, try BinpkgBuilder.make(format, entries, in: directory), outside)
    }

    @Test("refused with the entry and the package named; no target, no staging, nothing outside",
          arguments: HostileCase.byFormat)
    func refused(hostile: HostileCase, format: String) throws {
        // Given a hostile package and an empty directory outside the target
        let (directory, package, outside) = try build(hostile, format)
        defer { discard(directory) }
        let binpkg = try BinaryPackage(contentsOf: package)

        // When its image is extracted
        let target = directory.appendingPathComponent("root")
        let error = try #require(Result { () throws(BinpkgError) in try binpkg.extractImage(into: target) }.error)

        // Then the entry is refused by name, and nothing was written anywhere
        guard case .hostileEntry(let entry, let reason) = error.kind else { Issue.record("got \(error)"); return }
        #expect(entry.hasSuffix(hostile.entry), "\(entry)")
        #expect(hostile.reason.isEmpty || reason.contains(hostile.reason), "\(reason)")
        #expect(error.problem.hasPrefix(package.path) && error.problem.contains(entry))
        #expect(!FileManager.default.fileExists(atPath: target.path))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(Set(left) == [package.lastPathComponent, "outside"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        #expect(!error.fix.isEmpty)
    }

    @Test("Portage's own gpkg extraction agrees where it is strict; farmctl is stricter elsewhere",
          .enabled(if: RealPortage.isInstalled, "needs Portage in .venv (run `make bootstrap`); present in CI"),
          arguments: HostileCase.all)
    func portageAgrees(hostile: HostileCase) throws {
        // Given the hostile gpkg; when Portage's gpkg.decompress extracts it
        let (directory, package, _) = try build(hostile, "gpkg")
        defer { discard(directory) }
        let target = directory.appendingPathComponent("portage")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        let (status, output) = try RealPortage.extract(package, into: target)

        // Then it refuses exactly the cases recorded as refused by Portage
        #expect((status != 0) == hostile.portageRefuses, "\(output)")
    }

    @Test("devices and FIFOs are refused by default even where listing shows them")
    func listedButRefused() throws {
        // Given an xpak with a FIFO; when listed, then the FIFO is there, and extraction still refuses it
        let (directory, package, _) = try build(HostileCase.all.first { $0.description == "FIFO" }!, "xpak")
        defer { discard(directory) }
        let binpkg = try BinaryPackage(contentsOf: package)
        #expect(try binpkg.imageEntries().map(\.type) == [.fifo])
        #expect(throws: BinpkgError.self) { try binpkg.extractImage(into: directory.appendingPathComponent("root")) }
    }
}
