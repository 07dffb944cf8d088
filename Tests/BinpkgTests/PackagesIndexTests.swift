import Binpkg
import FarmModel
import Foundation
import Testing
import TestSupport

@Suite("PackagesIndex: real PKGDIR indexes")
struct PackagesIndexTests {
    static let indexes: [(file: String, count: Int, declared: Int)] = [
        ("257-binpkgs-Packages", 161, 161),
        // The 2013 portage-utils test index says PACKAGES: 1 but holds two blocks.
        ("portage-utils-qmerge-Packages", 2, 1),
    ]

    @Test("both real indexes parse with the right package count", arguments: indexes)
    func parses(index: (file: String, count: Int, declared: Int)) throws {
        // Given a real Packages file, when it is parsed
        let parsed = try PackagesIndex(contentsOf: Fixtures.testdata("binpkg/\(index.file)"))

        // Then the header and every package block are there, each with a CPV
        #expect(parsed.packages.count == index.count)
        #expect(parsed.declaredPackageCount == index.declared)
        #expect(parsed.header["CHOST"] == "x86_64-pc-linux-gnu")
        #expect(parsed.packages.allSatisfy { $0.parsedCPV != nil })
    }

    @Test("both real indexes round-trip byte for byte", arguments: indexes.map(\.file))
    func roundTrips(file: String) throws {
        // Given a real index's bytes
        let url = Fixtures.testdata("binpkg/\(file)")
        let original = try Data(contentsOf: url)

        // When parsed and written to a temp dir
        let directory = try TemporaryDirectory()
        let copy = directory.url.appendingPathComponent("Packages")
        try PackagesIndex(contentsOf: url).write(to: copy)

        // Then the bytes are identical
        #expect(try Data(contentsOf: copy) == original)
    }

    @Test("accessors of a binpkg-multi-instance entry")
    func multiInstanceEntry() throws {
        // Given the 2023 index; when tape's block is looked up; then its fields read as written in the file
        let index = try PackagesIndex(contentsOf: Fixtures.testdata("binpkg/257-binpkgs-Packages"))
        let tape = try #require(index.packages(cpv: "acct-group/tape-0-r2").first)
        #expect(tape.path == "acct-group/tape/tape-0-r2-1.xpak")
        #expect(tape.relativePath == tape.path)
        #expect(tape.buildID == 1)
        #expect(tape.buildTime == 1689961409)
        #expect(tape.sha1 == "74befb4012dce65a0234da0cb2d6756459c1bd50")
        #expect(tape.md5 == "e445b1b990c7916d28b724308bc67fb5")
        #expect(tape.size == 9821)
        #expect(tape.use == ["abi_x86_64", "amd64", "elibc_glibc", "kernel_linux"])
        #expect(tape.repo == "gentoo")
        #expect(tape.keys.first == "BUILD_ID" && tape.keys.last == "REPO")
        #expect(index.header.keys.first == "ACCEPT_KEYWORDS" && index.header.keys.last == "VERSION")
    }

    @Test("a classic entry without PATH lives at CPV.tbz2")
    func classicEntry() throws {
        // Given the 2013 index without PATH; then the second package is found at CPV.tbz2
        let index = try PackagesIndex(contentsOf: Fixtures.testdata("binpkg/portage-utils-qmerge-Packages"))
        let second = index.packages[1]
        #expect(second.cpv == "sys-devel/qmerge-test-2.0")
        #expect(second.path == nil && second.buildID == nil)
        #expect(second.relativePath == "sys-devel/qmerge-test-2.0.tbz2")
        #expect(second.size == 7334)
    }

    @Test("editing keeps key order: replace in place, append new, remove")
    func editing() throws {
        // Given a block; when a key is changed, added and removed; then order is kept and serialization follows
        var block = PackagesBlock(fields: [.init(key: "CPV", value: "a/b-1"), .init(key: "SIZE", value: "1")])
        block["SIZE"] = "2"
        block["MD5"] = "x"
        block["CPV"] = nil
        #expect(block.serialized == "SIZE: 2\nMD5: x\n")
    }

    @Test("malformed indexes throw with the line number", arguments: [
        ("VERSION: 0\n\nCPV: a/b-1\nno colon here\n", 4, "malformed"),
        ("VERSION: 0\n\nCPV: a/b-1\nSIZE:12\n", 4, "malformed"),
        ("VERSION: 0\n\nCPV: a/b-1\n: empty key\n", 4, "malformed"),
        ("VERSION: 0\n\nCPV: a/b-1\nSIZE: 1\nSIZE: 2\n", 5, "duplicate"),
        ("VERSION: 0\n\nCPV: a/b-1\n\nSIZE: 1\nMD5: x\n", 5, "cpv"),
        ("\n\n", nil, "empty"),
    ] as [(String, Int?, String)])
    func malformed(text: String, line: Int?, kind: String) throws {
        // Given a damaged index, when it is parsed, then the error names the file and line
        let error = try #require(Result { () throws(PackagesIndexError) in
            try PackagesIndex(parsing: text, path: "/pkgdir/Packages")
        }.error)
        #expect(error.location == SourceLocation(path: "/pkgdir/Packages", line: line))
        switch (kind, error.kind) {
        case ("malformed", .malformedLine), ("duplicate", .duplicateKey), ("cpv", .missingCPV), ("empty", .empty): break
        default: Issue.record("expected \(kind), got \(error.kind)")
        }
        #expect(error.problem.hasPrefix("/pkgdir/Packages"))
        #expect(error.fix.contains("emaint"))
    }

    @Test("garbage made from a real index never crashes", arguments: [1, 7, 512])
    func garbage(step: Int) throws {
        // Given the real index with every step-th byte replaced by a newline or a colon
        var bytes = [UInt8](try Data(contentsOf: Fixtures.testdata("binpkg/portage-utils-qmerge-Packages")))
        for offset in stride(from: step - 1, to: bytes.count, by: step * 3) { bytes[offset] = UInt8(ascii: "\n") }
        for offset in stride(from: step, to: bytes.count, by: step * 5) { bytes[offset] = UInt8(ascii: ":") }
        let text = String(decoding: bytes, as: UTF8.self)

        // When parsed, then it either parses or throws the typed error (the closure's type guarantees it)
        do {
            let index = try PackagesIndex(parsing: text, path: "P")
            #expect(index.packages.allSatisfy { $0.cpv?.isEmpty == false })
        } catch {
            #expect(error.location.path == "P" && error.location.line != nil)
        }
    }

    @Test("a value ending in a carriage return survives serialize and parse", arguments: ["A: b\r", "A: b\r\n\nCPV: c/d-1\r\n"])
    func carriageReturn(text: String) throws {
        // Given an index whose values end in \r (Fuzz/fuzz-packages' round-trip check: "\r\n" is one Character)
        let index = try PackagesIndex(parsing: text, path: "P")
        #expect(index.header["A"] == "b\r")

        // When serialized and parsed again, then every field comes back
        let again = try PackagesIndex(parsing: index.serialized, path: "P")
        #expect(again.header.fields == index.header.fields)
        #expect(again.packages.map(\.fields) == index.packages.map(\.fields))
    }
}
