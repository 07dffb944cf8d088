import FarmModel

/// The scanner behind ``TOML/parse(_:path:)``: one pass over the characters, counting lines.
struct TOMLParser {
    let chars: [Character]
    let path: String
    private(set) var pos = 0
    private(set) var line = 1
    private var root: TOMLTable
    private var current: [String] = []
    /// Tables declared with a `[header]`, and the line of that header.
    private var declared: [[String]: Int] = [:]

    init(text: String, path: String) {
        chars = Array(text)
        self.path = path
        root = TOMLTable(location: SourceLocation(path: path))
    }

    var here: SourceLocation { SourceLocation(path: path, line: line) }
    var atEnd: Bool { pos >= chars.count }
    var peek: Character? { atEnd ? nil : chars[pos] }

    func error(_ kind: ConfigError.Kind, _ message: String, fix: String, line: Int? = nil) -> ConfigError {
        ConfigError(kind, at: SourceLocation(path: path, line: line ?? self.line), message, fix: fix)
    }

    mutating func advance() {
        if chars[pos].isNewline { line += 1 }
        pos += 1
    }

    func lookingAt(_ text: String) -> Bool {
        let t = Array(text)
        return pos + t.count <= chars.count && Array(chars[pos..<pos + t.count]) == t
    }

    mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { advance() }
    }

    mutating func skipComment() {
        if peek == "#" { while let c = peek, !c.isNewline { advance() } }
    }

    /// Skips spaces, comments and newlines (inside arrays).
    mutating func skipBlank() {
        while let c = peek {
            if c == " " || c == "\t" || c.isNewline { advance() } else if c == "#" { skipComment() } else { return }
        }
    }

    mutating func parseDocument() throws(ConfigError) -> TOMLTable {
        while !atEnd {
            skipSpaces()
            guard let c = peek else { break }
            if c.isNewline { advance(); continue }
            if c == "#" { skipComment(); continue }
            if c == "[" { try parseHeader() } else { try parseKeyValue() }
            skipSpaces()
            skipComment()
            if let c = peek, !c.isNewline {
                throw error(.syntax, "unexpected `\(c)`; expected the end of the line", fix: "put one `key = value` per line; start comments with `#`")
            }
        }
        return root
    }

    private mutating func parseHeader() throws(ConfigError) {
        let headerLine = line
        advance()
        if peek == "[" {
            throw error(.unsupported, "arrays of tables (`[[...]]`) are not supported",
                        fix: "use one `[name.KEY]` table per item instead")
        }
        var keys: [String] = []
        while true {
            skipSpaces()
            keys.append(try parseKey())
            skipSpaces()
            if peek == "." { advance(); continue }
            if peek == "]" { advance(); break }
            throw error(.syntax, "expected `]` to close the table header", fix: "write headers as `[name]` or `[a.b]`")
        }
        let name = keys.joined(separator: ".")
        if let first = declared[keys] {
            throw error(.duplicate, "table [\(name)] is defined twice (first at line \(first))",
                        fix: "merge the two [\(name)] sections or rename one", line: headerLine)
        }
        declared[keys] = headerLine
        let location = SourceLocation(path: path, line: headerLine)
        try Self.descend(into: &root, keys[...], creatingAt: location, path: path) { _ throws(ConfigError) in }
        current = keys
    }

    /// Walks (creating as needed) the tables along `keys` and runs `body` on the last one.
    private static func descend(into table: inout TOMLTable, _ keys: ArraySlice<String>, creatingAt location: SourceLocation,
                                path: String, _ body: (inout TOMLTable) throws(ConfigError) -> Void) throws(ConfigError) {
        guard let key = keys.first else { return try body(&table) }
        guard let index = table.entries.firstIndex(where: { $0.key == key }) else {
            var sub = TOMLTable(location: location)
            try descend(into: &sub, keys.dropFirst(), creatingAt: location, path: path, body)
            table.entries.append(.init(key: key, keyLocation: location, value: TOMLValue(kind: .table(sub), location: location)))
            return
        }
        guard case .table(var sub) = table.entries[index].value.kind else {
            let other = table.entries[index].keyLocation
            throw ConfigError(.duplicate, at: location, "`\(key)` is already a value (at \(other)), so it cannot be a table",
                              fix: "rename the table or the key")
        }
        try descend(into: &sub, keys.dropFirst(), creatingAt: location, path: path, body)
        table.entries[index].value.kind = .table(sub)
    }

    private mutating func parseKey() throws(ConfigError) -> String {
        if peek == "\"" { return try parseBasicString() }
        if peek == "'" { return try parseLiteralString() }
        var key = ""
        while let c = peek, c.isASCII, c.isLetter || c.isNumber || c == "_" || c == "-" {
            key.append(c)
            advance()
        }
        guard !key.isEmpty else {
            let found = peek.map { "`\($0)`" } ?? "end of file"
            throw error(.syntax, "expected a key, found \(found)", fix: "keys are letters, digits, `_` and `-`, or quoted")
        }
        return key
    }

    private mutating func parseKeyValue() throws(ConfigError) {
        let keyLocation = here
        let key = try parseKey()
        skipSpaces()
        if peek == "." {
            throw error(.unsupported, "dotted keys (`\(key).…`) are not supported",
                        fix: "put the key under a `[\((current + [key]).joined(separator: "."))]` table header")
        }
        guard peek == "=" else {
            throw error(.syntax, "expected `=` after key `\(key)`", fix: "write `\(key) = value`")
        }
        advance()
        skipSpaces()
        let value = try parseValue()
        let tableName = current.joined(separator: ".")
        let path = self.path
        try Self.descend(into: &root, current[...], creatingAt: keyLocation, path: path) { table throws(ConfigError) in
            if let first = table[key] {
                let inTable = tableName.isEmpty ? "" : " in [\(tableName)]"
                throw ConfigError(.duplicate, at: keyLocation,
                                  "duplicate key `\(key)`\(inTable) (first at line \(first.keyLocation.line ?? 0))",
                                  fix: "remove one of the two `\(key)` lines")
            }
            table.entries.append(.init(key: key, keyLocation: keyLocation, value: value))
        }
    }
}
