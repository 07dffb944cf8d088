import FarmModel
import Foundation

/// The `[base]` table of `class.toml`: what every root of the class starts from.
///
/// ```toml
/// [base]
/// stage = "/srv/stages/stage3-i686-openrc-20241201.tar.xz"   # or a directory holding an unpacked stage
/// ```
public struct ClassBase: Sendable, Equatable {
    /// The seed stage (tarball or directory), resolved against the class directory; nil: roots hold only the farm's packages.
    public var stage: Located<URL>?

    /// No stage.
    public init() {}

    init(_ table: TOMLTable, directory: URL) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[base] in class.toml")
        try reader.rejectUnknownKeys(allowed: ["stage"])
        if let path = try reader.string("stage") {
            guard !path.value.isEmpty, !path.value.contains("\n") else {
                throw reader.invalid("stage", at: path.location, "is empty", fix: "name a stage tarball or directory, e.g. "
                    + "stage = \"/srv/stages/stage3-i686-openrc.tar.xz\" (relative paths start at \(directory.path))")
            }
            stage = Located(resolvePath(path.value, against: directory), at: path.location)
        }
    }
}
