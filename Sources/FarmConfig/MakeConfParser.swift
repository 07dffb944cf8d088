import FarmModel
import Foundation

/// The scanner behind ``MakeConf``: bash-like assignments, read the way Portage's `getconfig` reads them.
///
/// As in Portage, `$VAR` and `${VAR}` expand inside single quotes too, `\$` gives a literal `$`, and newlines
/// inside quoted values become spaces. Unset variables expand to nothing.
struct MakeConfParser {
    private(set) var assignments: [MakeConf.Assignment] = []
    private var values: [String: String]
    private var sourcing: [String] = []

    init(environment: [String: String]) { values = environment }

    mutating func parseFile(_ url: URL, from line: SourceLocation?) throws(ConfigError) {
        guard !sourcing.contains(url.path) else {
            throw ConfigError(.invalidValue, at: line ?? SourceLocation(path: url.path), "`source \(url.path)` sources itself in a loop",
                              fix: "remove the `source` line that closes the loop")
        }
        let text: String
        if let line {
            text = try readConfigFile(url, fix: "create \(url.path), or fix the `source` line at \(line)")
        } else {
            text = try readConfigFile(url)
        }
        try parse(text, url: url)
    }

    mutating func parse(_ text: String, url: URL) throws(ConfigError) {
        sourcing.append(url.path)
        defer { sourcing.removeLast() }
        var scanner = MakeConfScanner(chars: Array(text), path: url.path)
        while let (word, location) = try scanner.nextWord(lookup: lookup) {
            switch word.raw {
            case "export":
                guard let (next, nextLocation) = try scanner.nextWord(lookup: lookup), next.assignment != nil else {
                    throw scanner.junk("`export` must be followed by VAR=value", at: location)
                }
                try assign(next, at: nextLocation, scanner: scanner)
            case "source", ".":
                guard let (file, _) = try scanner.nextWord(lookup: lookup), !file.value.isEmpty else {
                    throw scanner.junk("`source` needs a file name", at: location)
                }
                try parseFile(resolvePath(file.value, against: url.deletingLastPathComponent()), from: location)
            default:
                try assign(word, at: location, scanner: scanner)
            }
        }
    }

    private func lookup(_ name: String) -> String { values[name] ?? "" }

    private mutating func assign(_ word: MakeConfScanner.Word, at location: SourceLocation, scanner: MakeConfScanner) throws(ConfigError) {
        guard let (name, value) = word.assignment else {
            let isName = word.raw.wholeMatch(of: #/[A-Za-z_][A-Za-z0-9_]*/#) != nil
            let hint = isName ? " (write `\(word.raw)=value` with no spaces around `=`)" : ""
            throw scanner.junk("expected VAR=value, found `\(word.raw)`\(hint)", at: location)
        }
        values[name] = value
        assignments.append(.init(name: name, value: value, location: location))
    }
}

/// Splits make.conf text into shell words, removing quotes and expanding variables.
struct MakeConfScanner {
    /// One shell word: its raw spelling and, for `NAME=...`, the name and the expanded value.
    struct Word {
        var raw = ""
        var value = ""
        var assignment: (String, String)?
    }

    let chars: [Character]
    let path: String
    private var pos = 0
    private var line = 1

    init(chars: [Character], path: String) {
        self.chars = chars
        self.path = path
    }

    func junk(_ message: String, at location: SourceLocation) -> ConfigError {
        ConfigError(.syntax, at: location, message, fix: "make.conf holds only `VAR=\"value\"` lines, comments and `source FILE`")
    }

    private var peek: Character? { pos < chars.count ? chars[pos] : nil }

    private mutating func next() -> Character? {
        guard let c = peek else { return nil }
        if c.isNewline { line += 1 }
        pos += 1
        return c
    }

    /// The next word and where it starts, nil at the end of the text.
    mutating func nextWord(lookup: (String) -> String) throws(ConfigError) -> (Word, SourceLocation)? {
        while let c = peek {
            if c.isWhitespace || c == ";" { _ = next() }
            else if c == "\\", pos + 1 < chars.count, chars[pos + 1].isNewline { _ = next(); _ = next() }
            else if c == "#" { while let c = peek, !c.isNewline { _ = next() } }
            else { break }
        }
        guard peek != nil else { return nil }
        let location = SourceLocation(path: path, line: line)
        var word = Word()
        var isAssignment = false  // an unquoted `NAME=` started the word
        while let c = peek, !c.isWhitespace, c != ";" {
            if !isAssignment, c == "=", word.raw.wholeMatch(of: #/[A-Za-z_][A-Za-z0-9_]*/#) != nil {
                _ = next()
                word.raw.append(c)
                isAssignment = true
                word.value = ""
                continue
            }
            if "|&<>()`".contains(c) {
                throw junk("unsupported shell syntax `\(c)`", at: SourceLocation(path: path, line: line))
            }
            _ = next()
            word.raw.append(c)
            switch c {
            case "\"", "'": try quoted(by: c, into: &word, startLine: line, lookup: lookup)
            case "\\":
                if let e = next() {
                    word.raw.append(e)
                    if !e.isNewline { word.value.append(e) }
                }
            case "$": try expand(into: &word, lookup: lookup)
            default: word.value.append(c)
            }
        }
        if isAssignment, let eq = word.raw.firstIndex(of: "=") {
            word.assignment = (String(word.raw[..<eq]), word.value)
        }
        return (word, location)
    }

    private mutating func quoted(by quote: Character, into word: inout Word, startLine: Int, lookup: (String) -> String) throws(ConfigError) {
        while let c = next() {
            word.raw.append(c)
            if c == quote { return }
            if c == "\\", let e = peek, e == "$" || e == "\\" || e.isNewline || (quote == "\"" && (e == "\"" || e == "`")) {
                _ = next()
                word.raw.append(e)
                if !e.isNewline { word.value.append(e) }
            } else if c == "$" {
                try expand(into: &word, lookup: lookup)
            } else {
                word.value.append(c.isNewline ? " " : c)
            }
        }
        throw ConfigError(.syntax, at: SourceLocation(path: path, line: startLine), "unterminated \(quote) quote",
                          fix: "close the value with \(quote); a quoted value may span lines but must end")
    }

    /// Expands `$NAME` or `${NAME}` after a `$` already consumed; a `$` before anything else is literal.
    private mutating func expand(into word: inout Word, lookup: (String) -> String) throws(ConfigError) {
        let start = line
        if peek == "{" {
            _ = next()
            var name = ""
            while let c = peek, c != "}", !c.isNewline { name.append(c); _ = next() }
            guard next() == "}" else {
                throw ConfigError(.syntax, at: SourceLocation(path: path, line: start), "unterminated `${\(name)`",
                                  fix: "close the variable reference with `}`")
            }
            word.raw += "{\(name)}"
            guard name.wholeMatch(of: #/[A-Za-z_][A-Za-z0-9_]*/#) != nil else {
                throw ConfigError(.unsupported, at: SourceLocation(path: path, line: start), "unsupported expansion `${\(name)}`",
                                  fix: "Portage only expands plain `${VAR}`; write the value out")
            }
            word.value += lookup(name)
            return
        }
        var name = ""
        while let c = peek, c.isASCII, c.isLetter || c == "_" || (c.isNumber && !name.isEmpty) { name.append(c); _ = next() }
        word.raw += name
        word.value += name.isEmpty ? "$" : lookup(name)
    }
}
