import FarmModel
import Foundation

/// Values: strings (basic and literal), arrays, integers and booleans, each with the line it was on.
extension TOMLParser {
    mutating func parseValue() throws(ConfigError) -> TOMLValue {
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

    func scalar(_ token: String, line: Int) throws(ConfigError) -> TOMLValue.Kind {
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

    mutating func parseArray() throws(ConfigError) -> [TOMLValue] {
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

    mutating func parseLiteralString() throws(ConfigError) -> String {
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

    mutating func parseBasicString() throws(ConfigError) -> String {
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
