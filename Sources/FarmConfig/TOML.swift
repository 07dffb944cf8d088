import FarmModel
import Foundation

/// A TOML value and the place it was written.
public struct TOMLValue: Sendable {
    /// The value itself.
    public enum Kind: Sendable {
        case string(String), integer(Int), float(Double), boolean(Bool), array([TOMLValue]), table(TOMLTable)
    }

    /// The value itself.
    public var kind: Kind
    /// Where the value starts (for a table, its `[header]`).
    public var location: SourceLocation

    /// The TOML type name, for error messages: `string`, `integer`, `float`, `boolean`, `array`, `table`.
    public var typeName: String {
        switch kind {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A TOML table: keys in file order, each with its own location and its value's.
public struct TOMLTable: Sendable {
    /// One `key = value` (or a sub-table) in a table.
    public struct Entry: Sendable {
        /// The key, unquoted.
        public var key: String
        /// Where the key is written.
        public var keyLocation: SourceLocation
        /// The value and where it is written.
        public var value: TOMLValue
    }

    /// The entries in the order they were first written.
    public internal(set) var entries: [Entry] = []
    /// Where the table is declared: its `[header]`, or the whole file for the root table.
    public var location: SourceLocation

    /// The entry named `key`, if any.
    public subscript(key: String) -> Entry? { entries.first { $0.key == key } }
}

/// Parses the TOML subset farmctl's configuration files use.
///
/// Supported: `[table]` and `[a.b]` headers, `key = value` with bare or quoted keys, basic and literal strings,
/// integers, floats, booleans, arrays (multi-line, trailing comma) and comments. Inline tables, arrays of
/// tables, multi-line strings, dotted keys and dates are reported as unsupported.
public enum TOML {
    /// Parses `text`, naming `path` in errors.
    public static func parse(_ text: String, path: String) throws(ConfigError) -> TOMLTable {
        var parser = TOMLParser(text: text, path: path)
        return try parser.parseDocument()
    }

    /// Reads and parses the file at `url`.
    public static func load(_ url: URL) throws(ConfigError) -> TOMLTable {
        try parse(readConfigFile(url), path: url.path)
    }
}

/// Reads a UTF-8 text file, turning a missing or unreadable file into a ``ConfigError``.
func readConfigFile(_ url: URL, fix: String? = nil) throws(ConfigError) -> String {
    let location = SourceLocation(path: url.path)
    guard FileManager.default.fileExists(atPath: url.path) else {
        throw ConfigError(.fileNotFound, at: location, "file not found", fix: fix ?? "create \(url.path)")
    }
    do {
        return try String(contentsOf: url, encoding: .utf8)
    } catch {
        throw ConfigError(.invalidValue, at: location, "cannot read the file as UTF-8 text: \(error.localizedDescription)",
                          fix: "check the file's permissions and encoding")
    }
}
