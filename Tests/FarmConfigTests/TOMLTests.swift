import FarmConfig
import FarmModel
import Testing

@Suite struct TOMLTests {
    static let document = """
        # top comment
        title = "farm"   # trailing comment

        [farm]
        name = 'lit\\eral'
        jobs = 1_024
        mask = 0x1F
        neg = -3
        ratio = 2.5e-1
        on = true

        [worker.local]
        arches = [
            "amd64",  # first
            'x86',
        ]
        empty = []
        """

    @Test func parsesTablesScalarsAndArraysWithLines() throws {
        // Given a document with root keys, a table, a dotted table and a multi-line array
        // When parsed
        let root = try TOML.parse(Self.document, path: "/etc/t.toml")
        // Then values, types and the lines of keys and values are kept
        guard case .string("farm") = root["title"]?.value.kind else { Issue.record("title"); return }
        guard case .table(let farm) = root["farm"]?.value.kind else { Issue.record("farm"); return }
        #expect(farm.location.line == 4)
        guard case .string(let name) = farm["name"]?.value.kind else { Issue.record("name"); return }
        #expect(name == "lit\\eral")
        guard case .integer(1024) = farm["jobs"]?.value.kind, case .integer(31) = farm["mask"]?.value.kind,
              case .integer(-3) = farm["neg"]?.value.kind, case .float(0.25) = farm["ratio"]?.value.kind,
              case .boolean(true) = farm["on"]?.value.kind else { Issue.record("scalars: \(farm.entries.map(\.value.kind))"); return }
        #expect(farm["jobs"]?.keyLocation.description == "/etc/t.toml:6")
        guard case .table(let workers) = root["worker"]?.value.kind, case .table(let local) = workers["local"]?.value.kind,
              case .array(let arches) = local["arches"]?.value.kind else { Issue.record("worker.local.arches"); return }
        #expect(arches.map(\.location.line) == [14, 15])
        #expect(local["arches"]?.value.location.line == 13)
        #expect(local.entries.map(\.key) == ["arches", "empty"])
    }

    @Test func decodesEscapesInBasicStrings() throws {
        // Given a basic string using every supported escape
        let root = try TOML.parse(#"s = "a\tb\n\"q\" \\ \u00e9 \U0001F600""#, path: "x.toml")
        // When read
        // Then the escapes are decoded
        guard case .string(let text) = root["s"]?.value.kind else { Issue.record("s"); return }
        #expect(text == "a\tb\n\"q\" \\ é 😀")
    }

    @Test(arguments: [
        ("a = 1\na = 2", ConfigError.Kind.duplicate, 2, "duplicate key `a` (first at line 1)"),
        ("[t]\nx = 1\n\n[t]", .duplicate, 4, "table [t] is defined twice (first at line 1)"),
        ("a = 1\n[a.b]", .duplicate, 2, "`a` is already a value"),
        ("\n\ns = \"abc", .syntax, 3, "unterminated string"),
        ("s = 'abc\n'", .syntax, 1, "unterminated string"),
        ("s = \"bad \\q\"", .syntax, 1, "unknown escape `\\q`"),
        ("x = yes", .syntax, 1, "bad value `yes`"),
        ("x = 012", .syntax, 1, "bad value `012`"),
        ("x = 99999999999999999999", .invalidValue, 1, "out of range"),
        ("\nt = { a = 1 }", .unsupported, 2, "inline tables"),
        ("[[w]]", .unsupported, 1, "arrays of tables"),
        ("s = \"\"\"x\"\"\"", .unsupported, 1, "multi-line strings"),
        ("d = 2024-01-01", .unsupported, 1, "dates and times"),
        ("a.b = 1", .unsupported, 1, "dotted keys"),
        ("\na = [1,\n 2", .syntax, 2, "unterminated array (opened at line 2)"),
        ("a = [1 2]", .syntax, 1, "expected `,` or `]`"),
        ("a = 1 b = 2", .syntax, 1, "unexpected `b`; expected the end of the line"),
        ("[t] x = 1", .syntax, 1, "unexpected `x`; expected the end of the line"),
        ("a 1", .syntax, 1, "expected `=` after key `a`"),
        ("a =", .syntax, 1, "missing value"),
        ("[t", .syntax, 1, "expected `]`"),
    ])
    func reportsErrorsWithFileAndLine(text: String, kind: ConfigError.Kind, line: Int, fragment: String) {
        // Given a malformed document
        // When parsed
        // Then the error names the file, the line and the problem
        expectConfigError(kind, file: "bad.toml", line: line, fragment) {
            _ = try TOML.parse(text, path: "/cfg/bad.toml")
        }
    }
}
