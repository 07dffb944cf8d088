import FarmModel
import Foundation

/// A value read from a config file, with where it was written.
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    /// The value.
    public var value: Value
    /// Where it was written.
    public var location: SourceLocation

    /// Pairs a value with its location.
    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// Typed access to one TOML table's keys, with errors naming the file, line and key.
struct TableReader {
    let table: TOMLTable
    /// How the table is named in messages, e.g. `[worker.local]`.
    let name: String

    /// Throws for the first key not in `allowed`, suggesting the closest allowed key.
    func rejectUnknownKeys(allowed: [String], what: String = "key") throws(ConfigError) {
        for entry in table.entries where !allowed.contains(entry.key) {
            let hint = didYouMean(entry.key, among: allowed).map { "did you mean `\($0)`? " } ?? ""
            throw ConfigError(.unknownKey, at: entry.keyLocation, "unknown \(what) `\(entry.key)` in \(name)",
                              fix: "\(hint)known \(what)s: \(allowed.joined(separator: ", "))")
        }
    }

    func required<T>(_ key: String, _ read: (String) throws(ConfigError) -> Located<T>?) throws(ConfigError) -> Located<T> {
        guard let value = try read(key) else {
            throw ConfigError(.missingKey, at: table.location, "\(name) is missing the required key `\(key)`",
                              fix: "add `\(key) = ...` under \(name)")
        }
        return value
    }

    func string(_ key: String) throws(ConfigError) -> Located<String>? {
        guard let entry = table[key] else { return nil }
        guard case .string(let text) = entry.value.kind else { throw wrongType(entry, "a string") }
        guard !text.isEmpty else {
            throw ConfigError(.invalidValue, at: entry.value.location, "`\(key)` in \(name) is empty", fix: "give `\(key)` a value")
        }
        return Located(text, at: entry.value.location)
    }

    func integer(_ key: String) throws(ConfigError) -> Located<Int>? {
        guard let entry = table[key] else { return nil }
        guard case .integer(let number) = entry.value.kind else { throw wrongType(entry, "an integer") }
        return Located(number, at: entry.value.location)
    }

    /// A float; an integer is accepted too (`speed = 2`).
    func number(_ key: String) throws(ConfigError) -> Located<Double>? {
        guard let entry = table[key] else { return nil }
        switch entry.value.kind {
        case .float(let number): return Located(number, at: entry.value.location)
        case .integer(let number): return Located(Double(number), at: entry.value.location)
        default: throw wrongType(entry, "a number")
        }
    }

    /// An array of strings, each with its own location.
    func boolean(_ key: String) throws(ConfigError) -> Located<Bool>? {
        guard let entry = table[key] else { return nil }
        guard case .boolean(let flag) = entry.value.kind else { throw wrongType(entry, "true or false") }
        return Located(flag, at: entry.value.location)
    }

    func table(_ key: String) throws(ConfigError) -> TOMLTable? {
        guard let entry = table[key] else { return nil }
        guard case .table(let sub) = entry.value.kind else { throw wrongType(entry, "a table ([\(key)])") }
        return sub
    }

    func strings(_ key: String) throws(ConfigError) -> Located<[Located<String>]>? {
        guard let entry = table[key] else { return nil }
        guard case .array(let items) = entry.value.kind else { throw wrongType(entry, "an array of strings") }
        var result: [Located<String>] = []
        for item in items {
            guard case .string(let text) = item.kind, !text.isEmpty else {
                throw ConfigError(.wrongType, at: item.location,
                                  "`\(key)` in \(name) must hold non-empty strings, found \(describe(item))",
                                  fix: "quote each item: \(key) = [\"a\", \"b\"]")
            }
            result.append(Located(text, at: item.location))
        }
        return Located(result, at: entry.value.location)
    }

    /// Throws `message` at `location` as an invalid value of `key`.
    func invalid(_ key: String, at location: SourceLocation, _ message: String, fix: String) -> ConfigError {
        ConfigError(.invalidValue, at: location, "`\(key)` in \(name) \(message)", fix: fix)
    }

    private func wrongType(_ entry: TOMLTable.Entry, _ expected: String) -> ConfigError {
        ConfigError(.wrongType, at: entry.value.location, "`\(entry.key)` in \(name) must be \(expected), found \(describe(entry.value))",
                    fix: "write `\(entry.key)` as \(expected)")
    }

    private func describe(_ value: TOMLValue) -> String {
        switch value.kind {
        case .string(let text): "string \"\(text)\""
        case .integer(let number): "integer \(number)"
        case .float(let number): "float \(number)"
        case .boolean(let flag): "boolean \(flag)"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// Resolves `path` against `directory` unless it is absolute.
func resolvePath(_ path: String, against directory: URL) -> URL {
    let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)
    return url.standardizedFileURL
}
