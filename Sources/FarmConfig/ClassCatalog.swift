import FarmModel
import Foundation

/// The node classes in a profiles directory (`profiles/<CLASS>/`).
public struct ClassCatalog: Sendable {
    /// The profiles directory.
    public var directory: URL

    /// A catalog of the classes under `directory`.
    public init(directory: URL) { self.directory = directory.standardizedFileURL }

    /// The class names present, sorted; hidden entries and plain files are skipped.
    public func classNames() throws(ConfigError) -> [ClassName] {
        let location = SourceLocation(path: directory.path)
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ConfigError(.fileNotFound, at: location, "cannot list the profiles directory",
                              fix: "create \(directory.path) with one directory per node class, or set `profiles` in workers.conf")
        }
        var names: [ClassName] = []
        for entry in entries where !entry.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            let path = directory.appendingPathComponent(entry).path
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            guard let name = ClassName(entry) else {
                throw ConfigError(.invalidValue, at: SourceLocation(path: path), "`\(entry)` is not a valid class name",
                                  fix: "rename the directory using letters, digits, `-`, `_` and `.`")
            }
            names.append(name)
        }
        return names.sorted()
    }

    /// Loads every class, sorted by name.
    public func loadAll() throws(ConfigError) -> [ClassProfile] {
        var profiles: [ClassProfile] = []
        for name in try classNames() { profiles.append(try load(name)) }
        return profiles
    }

    /// Loads the named classes in the order given, failing for any name that is not a class.
    public func load(_ requested: [String]) throws(ConfigError) -> [ClassProfile] {
        let known = try classNames()
        var profiles: [ClassProfile] = []
        for text in requested {
            guard let name = known.first(where: { $0.rawValue == text }) else {
                let list = known.isEmpty ? "none" : known.map(\.rawValue).joined(separator: ", ")
                let hint = didYouMean(text, among: known.map(\.rawValue)).map { "did you mean `\($0)`? Otherwise " } ?? ""
                throw ConfigError(.unknownClass, at: SourceLocation(path: directory.path), "unknown class \(text); known classes: \(list)",
                                  fix: "\(hint)add a class by creating \(directory.appendingPathComponent(text).path)/ "
                                      + "with class.toml, make.conf and packages")
            }
            profiles.append(try load(name))
        }
        return profiles
    }

    /// Loads one class.
    public func load(_ name: ClassName) throws(ConfigError) -> ClassProfile {
        try ClassProfile.load(from: directory.appendingPathComponent(name.rawValue))
    }
}
