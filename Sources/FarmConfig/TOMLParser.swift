import FarmModel

/// The scanner behind ``TOML/parse(_:path:)``: one pass over the characters, counting lines.
struct TOMLParser {
    private let chars: [Character]
    private let path: String
    private var pos = 0
    private var line = 1
    private var root: TOMLTable
    private var current: [String] = []
    /// Tables declared with a `[header]`, and the line of that header.
    private var declared: [[String]: Int] = [:]

    init(text: String, path: String) {
        chars = Array(text)
        self.path = path
        root = TOMLTable(location: SourceLocation(path: path))
    }

    private var here: SourceLocation { SourceLocation(path: path, line: line) }
    private var atEnd: Bool { pos >= chars.count }
    private var peek: Character? { atEnd ? nil : chars[pos] }

    private func error(_ kind: ConfigError.Kind, _ message: String, fix: String, line: Int? = nil) -> ConfigError {
        ConfigError(kind, at: SourceLocation(path: path, line: line ?? self.line), message, fix: fix)
    }

    private mutating func advance() {
        if chars[pos].isNewline { line += 1 }
        pos += 1
    }

    private func lookingAt(_ text: String) -> Bool {
        let t = Array(text)
        return pos + t.count <= chars.count && Array(chars[pos..<pos + t.count]) == t
    }

    private mutating func skipSpaces() {
        while let c = peek, c == " " || c == "\t" { advance() }
    }

    private mutating func skipComment() {
        if peek == "#" { while let c = peek, !c.isNewline { advance() } }
    }

    /// Skips spaces, comments and newlines (inside arrays).
    private mutating func skipBlank() {
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

    private mutating func parseValue() throws(ConfigError) -> TOMLValue {
        let location = here
        guard let c = peek, !c.isNewline, c != "#" else {
            throw error(.syntax, "missing value after `=`", fix: "write a value: \"text\", 42, 1.5, true or [ ... ]")
        }
        switch c {
        case "\"":
            if lookingAt("\"\"\"") {
                throw error(.unsupported, "multi-line strings (`\"\"\"`) are not supported", fix: "write the string on one line")
            }
            return TOMLValue(kind: .string(try parseBasicString()), location: location)
        case "'":
            if lookingAt("'''") {
                throw error(.unsupported, "multi-line strings (`'''`) are not supported", fix: "write the string on one line")
            }
            return TOMLValue(kind: .string(try parseLiteralString()), location: location)
        case "[":
            return TOMLValue(kind: .array(try parseArray()), location: location)
        case "{":
            throw error(.unsupported, "inline tables (`{ ... }`) are not supported",
                        fix: "write the keys under a `[table]` header instead")
        default:
            var token = ""
            while let c = peek, !c.isWhitespace, c != ",", c != "]", c != "#" {
                token.append(c)
                advance()
            }
            return TOMLValue(kind: try scalar(token, line: location.line!), location: location)
        }
    }

    private func scalar(_ token: String, line: Int) throws(ConfigError) -> TOMLValue.Kind {
        if token == "true" { return .boolean(true) }
        if token == "false" { return .boolean(false) }
        if let number = try TOMLNumber.parse(token, at: SourceLocation(path: path, line: line)) { return number }
        if token.wholeMatch(of: #/\d{4}-\d{2}-\d{2}.*|\d{2}:\d{2}.*/#) != nil {
            throw error(.unsupported, "dates and times (`\(token)`) are not supported", fix: "write it as a string: \"\(token)\"",
                        line: line)
        }
        throw error(.syntax, "bad value `\(token)`", fix: "quote strings (\"\(token)\"); numbers, true, false and [ ... ] are unquoted",
                    line: line)
    }

    private mutating func parseArray() throws(ConfigError) -> [TOMLValue] {
        let openLine = line
        advance()
        var items: [TOMLValue] = []
        while true {
            skipBlank()
            guard let c = peek else {
                throw error(.syntax, "unterminated array (opened at line \(openLine))", fix: "close the array with `]`", line: openLine)
            }
            if c == "]" { advance(); return items }
            items.append(try parseValue())
            skipBlank()
            if peek == "," { advance(); continue }
            if peek == "]" { advance(); return items }
            if atEnd {
                throw error(.syntax, "unterminated array (opened at line \(openLine))", fix: "close the array with `]`", line: openLine)
            }
            throw error(.syntax, "expected `,` or `]` in the array, found `\(peek!)`", fix: "separate array items with commas")
        }
    }

    private mutating func parseLiteralString() throws(ConfigError) -> String {
        let startLine = line
        advance()
        var text = ""
        while let c = peek, c != "'" {
            if c.isNewline { break }
            text.append(c)
            advance()
        }
        guard peek == "'" else {
            throw error(.syntax, "unterminated string", fix: "close the string with `'` on the same line", line: startLine)
        }
        advance()
        return text
    }

    private mutating func parseBasicString() throws(ConfigError) -> String {
        let startLine = line
        advance()
        var text = ""
        while let c = peek, c != "\"", !c.isNewline {
            advance()
            guard c == "\\" else { text.append(c); continue }
            guard let e = peek, !e.isNewline else { break }
            advance()
            switch e {
            case "b": text.append("\u{8}")
            case "t": text.append("\t")
            case "n": text.append("\n")
            case "f": text.append("\u{C}")
            case "r": text.append("\r")
            case "e": text.append("\u{1B}")
            case "\"": text.append("\"")
            case "\\": text.append("\\")
            case "u", "U":
                var hex = ""
                for _ in 0..<(e == "u" ? 4 : 8) {
                    guard let h = peek, h.isHexDigit else { break }
                    hex.append(h)
                    advance()
                }
                guard hex.count == (e == "u" ? 4 : 8), let scalar = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) else {
                    throw error(.syntax, "bad unicode escape `\\\(e)\(hex)`", fix: "write \\uXXXX or \\UXXXXXXXX with a valid code point")
                }
                text.unicodeScalars.append(scalar)
            default:
                throw error(.syntax, "unknown escape `\\\(e)` in string",
                            fix: "write `\\\\` for a backslash, or use a 'literal string' where backslashes are plain")
            }
        }
        guard peek == "\"" else {
            throw error(.syntax, "unterminated string", fix: "close the string with `\"` on the same line", line: startLine)
        }
        advance()
        return text
    }
}

