import Foundation
import Testing
@testable import Binpkg
import TestSupport

/// The five 257/binpkgs files with the directory Portage keeps them in (multi-instance layout).
private let multiInstance = [
    ("bzip2-1.0.8-r4-2.xpak", "app-arch/bzip2"), ("mime-types-2.1.53-1.xpak", "app-misc/mime-types"),
    ("portage-utils-0.96-r1-2.xpak", "app-portage/portage-utils"), ("tape-0-r2-1.xpak", "acct-group/tape"),
    ("udev-217-r6-2.xpak", "virtual/udev"),
]

private func makePkgdir(_ files: [(String, String)]) throws -> URL {
    let pkgdir = try Fixtures.temporaryDirectory("pkgdir")
    for (file, directory) in files {
        let target = pkgdir.appendingPathComponent(directory)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.testdata("binpkg/\(file)"), to: target.appendingPathComponent(file))
    }
    return pkgdir
}

@Suite struct PkgdirIndexerTests {
    @Test func entriesMatchTheIndexPortageWroteForTheSameFiles() throws {
        // Given the five real multi-instance binpkgs and the Packages index Portage wrote for them in 2023
        let pkgdir = try makePkgdir(multiInstance)
        defer { try? FileManager.default.removeItem(at: pkgdir) }
        let real = try PackagesIndex(contentsOf: Fixtures.testdata("binpkg/257-binpkgs-Packages"))
        // When farmctl indexes the PKGDIR under the same header CHOST
        let scan = try PkgdirIndexer(pkgdir: pkgdir, newHeader: [PackagesField(key: "CHOST", value: "x86_64-pc-linux-gnu")]).scan()
        // Then every block has the same keys and values as Portage's, except MTIME (the copies' own mtime)
        #expect(scan.read == 5 && scan.invalid.isEmpty)
        for block in scan.index.packages {
            let theirs = try #require(real.packages.first { $0.cpv == block.cpv }, "\(block.cpv ?? "?")")
            #expect(block.fields.filter { $0.key != "MTIME" } == theirs.fields.filter { $0.key != "MTIME" }, "\(block.cpv ?? "?")")
        }
        #expect(scan.index.packages.map { $0.cpv ?? "" } == scan.index.packages.map { $0.cpv ?? "" }.sorted())
    }

    @Test func regenerationRereadsOnlyChangedFiles() throws {
        // Given an indexed PKGDIR
        let pkgdir = try makePkgdir(multiInstance)
        defer { try? FileManager.default.removeItem(at: pkgdir) }
        let indexer = PkgdirIndexer(pkgdir: pkgdir)
        #expect(try indexer.regenerate().written)
        // When nothing changed, then nothing is read or written
        let again = try indexer.regenerate()
        #expect(again.kept == 5 && again.read == 0 && !again.written)
        // When one file's mtime changes and another is deleted
        let touched = pkgdir.appendingPathComponent("virtual/udev/udev-217-r6-2.xpak")
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_700_000_000)], ofItemAtPath: touched.path)
        try FileManager.default.removeItem(at: pkgdir.appendingPathComponent("acct-group/tape/tape-0-r2-1.xpak"))
        let third = try indexer.regenerate()
        // Then only that file is re-read, the deleted one dropped, and the index says so
        #expect(third.read == 1 && third.kept == 3 && third.removed == 1 && third.written)
        let written = try PackagesIndex(contentsOf: indexer.indexURL)
        #expect(written.declaredPackageCount == 4)
        #expect(written.packages.first { $0.cpv == "virtual/udev-217-r6" }?["MTIME"] == "1700000000")
    }

    @Test func flatLayoutAndMisnamedFiles() throws {
        // Given the flat layout (cat/pf.tbz2) and the real qmerge-test-2.0.tbz2 whose XPAK says PF=qmerge-test-1.3
        let pkgdir = try makePkgdir([("qmerge-test-1.3.tbz2", "sys-devel"), ("qmerge-test-2.0.tbz2", "sys-devel"),
                                     ("json-c-0.9.tbz2", "dev-libs")])
        defer { try? FileManager.default.removeItem(at: pkgdir) }
        // When indexed
        let scan = try PkgdirIndexer(pkgdir: pkgdir).scan()
        // Then the well-named ones are indexed without PATH-derived build ids, the misnamed one is reported by name
        #expect(scan.index.packages.compactMap(\.cpv) == ["dev-libs/json-c-0.9", "sys-devel/qmerge-test-1.3"])
        #expect(scan.index.packages.allSatisfy { $0.buildID == nil })
        #expect(scan.invalid.map(\.relativePath) == ["sys-devel/qmerge-test-2.0.tbz2"])
        #expect(scan.invalid.first?.problem.contains("does not match its metadata (sys-devel/qmerge-test-1.3)") == true)
    }

    @Test func garbageIsReportedNotIndexed() throws {
        // Given a file with a binpkg name but no binpkg inside
        let pkgdir = try makePkgdir([])
        defer { try? FileManager.default.removeItem(at: pkgdir) }
        try FileManager.default.createDirectory(at: pkgdir.appendingPathComponent("app-misc/x"), withIntermediateDirectories: true)
        try Data("not a binpkg".utf8).write(to: pkgdir.appendingPathComponent("app-misc/x/x-1-1.xpak"))
        // When indexed, then it is named as invalid and the index is empty
        let scan = try PkgdirIndexer(pkgdir: pkgdir).regenerate()
        #expect(scan.index.packages.isEmpty && scan.invalid.count == 1)
        #expect(try PackagesIndex(contentsOf: pkgdir.appendingPathComponent("Packages")).header["VERSION"] == "0")
    }
}

@Suite struct DependencyReductionTests {
    /// Inputs and the output of Portage 3.0.83's `paren_enclose(use_reduce(text, uselist=use))`.
    @Test(arguments: [
        ("a/b ssl? ( c/d !x? ( e/f ) ) || ( g/h i/j )", ["ssl"], "a/b c/d e/f || ( g/h i/j )"),
        ("( a/b c/d ) x? ( || ( e/f ( g/h i/j ) ) )", ["x"], "a/b c/d || ( e/f ( g/h i/j ) )"),
        ("!ssl? ( a/b )", [], "a/b"),
        ("|| ( x? ( a/b ) c/d )", [], "c/d"),
        ("|| ( x? ( a/b ) )", [], "__const__/empty-any-of"),
        ("GPL-2 ssl? ( MIT )", ["ssl"], "GPL-2 MIT"),
        ("|| ( ( a/b c/d ) )", [], "a/b c/d"),
        ("|| ( x? ( a/b c/d ) e/f )", ["x"], "|| ( ( a/b c/d ) e/f )"),
        ("|| ( || ( a/b c/d ) e/f )", [], "|| ( a/b c/d e/f )"),
        ("|| ( ( a/b c/d ) ( e/f ) )", [], "|| ( ( a/b c/d ) e/f )"),
    ])
    func matchesPortage(text: String, use: [String], expected: String) {
        #expect(DependencyReduction.reduce(text, use: Set(use)) == expected)
    }

    @Test func unbalancedIsRejected() {
        #expect(DependencyReduction.reduce("x? ( a/b", use: ["x"]) == nil)
        #expect(DependencyReduction.reduce("a/b )", use: []) == nil)
        #expect(DependencyReduction.reduce("x? a/b", use: []) == nil)
    }
}
