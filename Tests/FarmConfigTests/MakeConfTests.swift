import FarmConfig
import FarmModel
import Foundation
import Testing
import TestSupport

@Suite struct MakeConfTestdataTests {
    static let directory = Fixtures.testdata("make-conf")
    /// Files that `source` others (given in a separate test) and unified diffs, which are not make.conf syntax.
    static func isPlainMakeConf(_ name: String) -> Bool { !name.hasSuffix(".diff") && !name.hasPrefix("portage-utils") }
    static let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()

    @Test func testdataIsPresent() {
        // Given the shared make.conf test data
        // Then it holds the files the other tests rely on
        #expect(Self.names.filter(Self.isPlainMakeConf).count >= 10)
    }

    @Test(arguments: names.filter(isPlainMakeConf))
    func parsesEveryRealFile(name: String) throws {
        // Given a real make.conf
        // When parsed
        let conf = try MakeConf.load(from: Self.directory.appendingPathComponent(name))
        // Then every assignment is recorded with a line in that file
        #expect(conf.assignments.allSatisfy { $0.location.path.hasSuffix(name) && ($0.location.line ?? 0) > 0 })
    }

    @Test func readsKnownValues() throws {
        // Given files whose values were read by hand
        func load(_ name: String) throws -> MakeConf { try MakeConf.load(from: Self.directory.appendingPathComponent(name)) }
        // When parsed
        let an9wer = try load("an9wer-binhost-amd64-make.conf")
        let karl = try load("karlvauer-Gentoo-i686-make.conf")
        let old = try load("portage-2006-make.conf.x86")
        let desktop = try load("stkw0-gentoo_binhost-amd64-desktop-make.conf")
        let example = try load("portage-make.conf.example")
        // Then expansion, quoting and the accessors give those values
        #expect(an9wer.cflags == "-march=znver3 -O2 -pipe")
        #expect(an9wer.march == "znver3")
        #expect(an9wer.use == ["X", "elogind", "pulseaudio", "vaapi", "-systemd"])
        #expect(an9wer.value("FETCHCOMMAND")?.hasSuffix(#"--output "${DISTDIR}/${FILE}" "${URI}""#) == true)
        #expect(an9wer.location(of: "CFLAGS")?.line == 2)
        #expect(karl.march == "native")
        #expect(karl.value("MAKEOPTS") == "-j2")
        #expect(karl.value("LC_MESSAGES") == "C")
        #expect(karl.use.last == "git")
        #expect(old.chost == "i686-pc-linux-gnu")
        #expect(old.march == nil)
        #expect(old.names == ["CHOST", "PORTAGE_ELOG_CLASSES"])
        #expect(desktop.use.prefix(2) == ["system-ssl", "system-icu"])
        #expect(desktop.use.contains("widevine"))
        #expect(desktop.value("EMERGE_DEFAULT_OPTS")?.contains(#""virtual/* sys-kernel/*-sources"#) == true)
        #expect(example.assignments.isEmpty)
    }

    @Test func followsSourceLinesRelativeToTheFile() throws {
        // Given portage-utils' test make.conf beside the files it sources
        let original = try String(contentsOf: Self.directory.appendingPathComponent("portage-utils-test-profile1-make.conf"), encoding: .utf8)
        try withFiles([
            "profile/make.conf": original, "profile/this.level.conf": "FULL_BINHOST=\"http://full/\"\n",
            "parent.conf": "PREFLIGHT_BINHOST=pre\n", "profile/subdir/file.conf": "# nothing\nSUB=1\n",
        ]) { dir in
            // When parsed
            let conf = try MakeConf.load(from: dir.appendingPathComponent("profile/make.conf"))
            // Then sourced values are visible, unquoted values end at comments and newlines in quotes become spaces
            #expect(conf.value("ARCH") == "x86")
            #expect(conf.value("CONFIG_PROTECT") == "-*")
            #expect(conf.tokens("INSTALL_MASK") == ["imask", "x", "b"])
            #expect(conf.value("PORTAGE_BINHOST") == "http://someurl/")
            #expect(conf.value("NOCOLOR") == "1")
            #expect(conf.value("PKGDIR") == "pre http://full/")
            #expect(conf.location(of: "SUB")?.description.hasSuffix("profile/subdir/file.conf:2") == true)
            #expect(conf.location(of: "INSTALL_MASK")?.line == 14)
            #expect(conf.location(of: "PORTAGE_BINHOST")?.line == 18)
        }
    }

    @Test(arguments: names.filter { $0.hasSuffix(".diff") })
    func rejectsUnifiedDiffsAtTheFirstLine(name: String) {
        // Given a patch file from the test data, which is not make.conf syntax
        // When parsed as make.conf
        // Then the first line is reported as junk
        expectConfigError(.syntax, file: name, line: 1, "expected VAR=value, found `---`") {
            _ = try MakeConf.load(from: Self.directory.appendingPathComponent(name))
        }
    }
}

@Suite struct MakeConfSyntaxTests {
    @Test func handlesQuotingContinuationsExportAndExpansion() throws {
        // Given assignments in every supported form
        let text = #"""
            export A=one
            B='two $A'   # single quotes expand, as in Portage
            C="multi
            line"
            D=x\
            y
            E="${B} \$A \"q\""
            F=$HOME/${UNSET}z
            CFLAGS="-O2 -march=pentium3 -pipe -march=pentium-m"
            CPU_FLAGS_X86="mmx sse"
            A=1 G=$A
            """#
        // When parsed with a base environment
        let conf = try MakeConf.parse(text, path: "/etc/portage/make.conf", environment: ["HOME": "/root", "A": "env"])
        // Then values are unquoted and expanded from earlier assignments first, then the environment
        #expect(conf.value("A") == "1")
        #expect(conf.value("B") == "two one")
        #expect(conf.value("C") == "multi line")
        #expect(conf.value("D") == "xy")
        #expect(conf.value("E") == #"two one $A "q""#)
        #expect(conf.value("F") == "/root/z")
        #expect(conf.value("G") == "1")
        #expect(conf.march == "pentium-m")
        #expect(conf.cpuFlagsX86 == ["mmx", "sse"])
        #expect(conf.location(of: "D")?.line == 5)
        #expect(conf.location(of: "E")?.line == 7)
        #expect(conf.names == ["A", "B", "C", "D", "E", "F", "CFLAGS", "CPU_FLAGS_X86", "G"])
    }

    @Test(arguments: [
        ("A=1\n\nB=\"open\nC=2\n", ConfigError.Kind.syntax, 3, "unterminated \" quote"),
        ("A='x\n", .syntax, 1, "unterminated ' quote"),
        ("A=1\nthis is junk\n", .syntax, 2, "expected VAR=value, found `this`"),
        ("CFLAGS = \"-O2\"\n", .syntax, 1, "write `CFLAGS=value` with no spaces"),
        ("A=1\nB=${A:-x}\n", .unsupported, 2, "unsupported expansion `${A:-x}`"),
        ("A=${B\n", .syntax, 1, "unterminated `${B`"),
        ("A=$(uname)\n", .syntax, 1, "unsupported shell syntax `(`"),
        ("\nexport\n", .syntax, 2, "`export` must be followed by VAR=value"),
        ("\n\nsource missing.conf\n", .fileNotFound, nil, "missing.conf"),
    ] as [(String, ConfigError.Kind, Int?, String)])
    func reportsErrorsWithFileAndLine(text: String, kind: ConfigError.Kind, line: Int?, fragment: String) throws {
        // Given a make.conf with a mistake
        try withFiles(["make.conf": text]) { dir in
            // When loaded
            // Then the error names the file and line
            let file = kind == .fileNotFound ? "missing.conf" : "make.conf"
            expectConfigError(kind, file: file, line: line, fragment) {
                _ = try MakeConf.load(from: dir.appendingPathComponent("make.conf"))
            }
        }
    }

    @Test func missingSourcedFileNamesTheSourceLine() throws {
        // Given a make.conf sourcing a file that does not exist
        try withFiles(["make.conf": "A=1\n\nsource extra.conf\n"]) { dir in
            // When loaded
            // Then the fix points at the `source` line
            expectConfigError(.fileNotFound, file: "extra.conf", line: nil, "make.conf:3") {
                _ = try MakeConf.load(from: dir.appendingPathComponent("make.conf"))
            }
        }
    }

    @Test func rejectsSourceLoops() throws {
        // Given two files sourcing each other
        try withFiles(["make.conf": "source b.conf\n", "b.conf": "A=1\nsource make.conf\n"]) { dir in
            // When loaded
            // Then the loop is reported at the line that closes it
            expectConfigError(.invalidValue, file: "b.conf", line: 2, "sources itself in a loop") {
                _ = try MakeConf.load(from: dir.appendingPathComponent("make.conf"))
            }
        }
    }
}
