import FarmModel
import Foundation

/// One item of `writable_exports` in `[pxe]`: a directory the nodes mount read-write, e.g. `/home`.
///
/// Written as `"/home"` (options `rw,sync,no_subtree_check`: root stays squashed) or with exports(5) options in
/// parentheses, `"/scratch(rw,async,no_root_squash)"`; `rw` is added when the options leave it out.
public struct WritableExport: Sendable, Equatable {
    /// The exported directory on the server (absolute, normalised).
    public var path: String
    /// The export options, `rw` first.
    public var options: [String]
    /// Where the item is written.
    public var location: SourceLocation

    /// An export of `path` with `options` as given (no checks), written at `location`.
    public init(path: String, options: [String], location: SourceLocation) {
        self.path = path
        self.options = options
        self.location = location
    }

    /// Options of an export written without any.
    public static let defaultOptions = ["rw", "sync", "no_subtree_check"]

    /// exports(5) option names (for `name=value` options, the name).
    static let knownOptions: Set<String> = [
        "secure", "insecure", "rw", "ro", "async", "sync", "wdelay", "no_wdelay", "nohide", "hide", "crossmnt",
        "subtree_check", "no_subtree_check", "insecure_locks", "no_auth_nlm", "auth_nlm", "secure_locks", "no_acl", "acl",
        "mountpoint", "mp", "fsid", "refer", "replicas", "root_squash", "no_root_squash", "all_squash", "no_all_squash",
        "anonuid", "anongid", "sec", "pnfs", "no_pnfs", "security_label", "no_security_label",
    ]

    static func list(_ reader: TableReader, roots: URL) throws(ConfigError) -> [WritableExport] {
        guard let items = try reader.strings("writable_exports") else { return [] }
        var exports: [WritableExport] = []
        for item in items.value {
            let export = try WritableExport(item, reader: reader)
            try export.checkApart(from: roots, reader: reader)
            if let other = exports.first(where: { $0.path == export.path }) {
                throw reader.invalid("writable_exports", at: item.location, "lists \(export.path) twice (first at \(other.location))",
                                     fix: "keep one item for \(export.path), with all its options")
            }
            exports.append(export)
        }
        return exports
    }

    init(_ item: Located<String>, reader: TableReader) throws(ConfigError) {
        let text = item.value
        let open = text.firstIndex(of: "(")
        let rawPath = String(text[..<(open ?? text.endIndex)])
        let example = "e.g. \"/home\" or \"/scratch(rw,async,no_root_squash)\""
        guard rawPath.hasPrefix("/"), !rawPath.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "\\" }),
              !rawPath.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
            throw reader.invalid("writable_exports", at: item.location, "has `\(text)`, whose path is not an absolute directory without spaces",
                                 fix: "write the server directory's full path, \(example)")
        }
        path = URL(fileURLWithPath: rawPath).standardizedFileURL.path
        location = item.location
        guard let open else { options = Self.defaultOptions; return }
        guard text.hasSuffix(")"), text.index(after: open) < text.index(before: text.endIndex) else {
            throw reader.invalid("writable_exports", at: item.location, "has `\(text)`, whose options are not a closed `(…)` list",
                                 fix: "write the options in parentheses right after the path, \(example)")
        }
        var options = text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",", omittingEmptySubsequences: false)
            .map(String.init)
        for option in options {
            let name = String(option.prefix { $0 != "=" })
            guard Self.knownOptions.contains(name) else {
                let hint = didYouMean(name, among: Self.knownOptions.sorted()).map { "did you mean `\($0)`? " } ?? ""
                throw reader.invalid("writable_exports", at: item.location, "has `\(option)` for \(path), not an exports(5) option",
                                     fix: "\(hint)see exports(5) for the options, e.g. rw,sync,no_subtree_check")
            }
        }
        if options.contains("ro") {
            throw reader.invalid("writable_exports", at: item.location, "exports \(path) with `ro`, but these exports are the writable ones",
                                 fix: "remove `ro` (farmctl exports only the class roots read-only)")
        }
        options.removeAll { $0 == "rw" }
        self.options = ["rw"] + options
    }

    /// A writable export must neither lie inside the class roots nor contain them: it would make a root writable.
    func checkApart(from roots: URL, reader: TableReader) throws(ConfigError) {
        let roots = roots.standardizedFileURL.path
        let inside = path == roots || roots.hasPrefix(path == "/" ? "/" : path + "/") || path.hasPrefix(roots + "/")
        guard !inside else {
            throw reader.invalid("writable_exports", at: location, "exports \(path) read-write, which overlaps the class roots in \(roots)",
                                 fix: "export only directories apart from `roots`; the class roots are exported read-only by farmctl")
        }
    }
}
