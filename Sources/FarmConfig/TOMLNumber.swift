import FarmModel

/// TOML integers (decimal, 0x, 0o, 0b, with `_` separators) and floats.
enum TOMLNumber {
    /// The number `token` spells, nil when it is not a number.
    static func parse(_ token: String, at location: SourceLocation) throws(ConfigError) -> TOMLValue.Kind? {
        switch token {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        let outOfRange = ConfigError(.invalidValue, at: location, "integer `\(token)` is out of range",
                                     fix: "use a value between \(Int.min) and \(Int.max)")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where token.hasPrefix(prefix) {
            let digits = String(token.dropFirst(2))
            guard let clean = withoutSeparators(digits), !clean.isEmpty,
                  clean.allSatisfy({ Int(String($0), radix: radix) != nil }) else { return nil }
            guard let value = Int(clean, radix: radix) else { throw outOfRange }
            return .integer(value)
        }
        guard let clean = withoutSeparators(token) else { return nil }
        if clean.wholeMatch(of: #/[+-]?(0|[1-9][0-9]*)/#) != nil {
            guard let value = Int(clean) else { throw outOfRange }
            return .integer(value)
        }
        if clean.wholeMatch(of: #/[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/#) != nil, let value = Double(clean) {
            return .float(value)
        }
        return nil
    }

    /// Removes `_` separators, nil when one is not between two digits.
    private static func withoutSeparators(_ text: String) -> String? {
        let chars = Array(text)
        for (i, c) in chars.enumerated() where c == "_" {
            guard i > 0, i < chars.count - 1, chars[i - 1].isHexDigit, chars[i + 1].isHexDigit else { return nil }
        }
        return String(chars.filter { $0 != "_" })
    }
}
