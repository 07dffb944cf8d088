import FarmModel
import Foundation

/// The `[kernel]` table of `class.toml`: the class's kernel and the out-of-tree modules built against it.
///
/// ```toml
/// [kernel]
/// source = "/usr/src/linux-source-6.1.tar.xz"  # a kernel tree, or a tarball of one (.tar.xz, .tar.gz, .tar.bz2)
/// version = "6.1"                              # what `make kernelversion` must say (this, or this plus ".N")
/// config = "tinyconfig"                        # base: a kbuild target (…config) or a .config file
/// fragments = ["../../kernel/config/diskless.fragment"]   # merged over the base, in order
/// modules = ["../../kernel/module/farmmark"]   # out-of-tree module sources (a Kbuild or Makefile each)
/// ```
/// Relative paths are taken from the class directory. The fragments and modules must exist when the profile
/// loads; the source is checked when a build needs it (`checkSource()`), so queries work without it.
public struct ClassKernel: Sendable, Equatable {
    /// Where the base configuration comes from.
    public enum BaseConfig: Sendable, Equatable, CustomStringConvertible {
        /// A kbuild configuration target, e.g. `tinyconfig`, `defconfig`.
        case target(String)
        /// A complete `.config` file.
        case file(URL)

        public var description: String {
            switch self {
            case .target(let name): name
            case .file(let url): url.path
            }
        }
    }

    /// The kernel tree (a directory) or a tarball of one.
    public var source: Located<URL>
    /// The version the source must have (`make kernelversion`), e.g. `6.1` or `6.1.192`.
    public var version: Located<String>
    /// The base configuration the fragments are merged over.
    public var config: Located<BaseConfig>
    /// Config fragments merged over the base in order (`scripts/kconfig/merge_config.sh -m`), each with its location.
    public var fragments: [Located<URL>]
    /// Out-of-tree module source directories, built with `make -C <kernel build> M=<dir>`.
    public var modules: [Located<URL>]
    /// kbuild's `ARCH=` for the class (`i386` for x86, `x86_64` for amd64).
    public var kbuildArch: String
    /// Where the `[kernel]` table is.
    public var location: SourceLocation

    static let keys = ["source", "version", "config", "fragments", "modules"]

    /// True when `version` names `kernelVersion` (equal, or a prefix ending at a dot).
    public func accepts(kernelVersion: String) -> Bool {
        kernelVersion == version.value || kernelVersion.hasPrefix(version.value + ".")
    }

    /// Throws unless the source exists (a directory with a Makefile, or a tarball).
    public func checkSource() throws(ConfigError) {
        var isDirectory: ObjCBool = false
        let path = source.value.path
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(.invalidValue, at: source.location, "the kernel source \(path) ([kernel] source) does not exist",
                              fix: "install it (Debian: apt-get install linux-source), or point `source` at a kernel tree or tarball")
        }
        if isDirectory.boolValue, !FileManager.default.fileExists(atPath: path + "/Makefile") {
            throw ConfigError(.invalidValue, at: source.location, "\(path) ([kernel] source) has no Makefile: it is not a kernel tree",
                              fix: "point `source` at the top of a kernel tree, or at a tarball of one")
        }
    }

    init(_ table: TOMLTable, arch: Arch, directory: URL) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[kernel] in class.toml")
        try reader.rejectUnknownKeys(allowed: Self.keys)
        location = table.location
        kbuildArch = arch == .x86 ? "i386" : "x86_64"
        let source = try reader.required("source", reader.string)
        self.source = Located(resolvePath(source.value, against: directory), at: source.location)
        let version = try reader.required("version", reader.string)
        guard version.value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else {
            throw reader.invalid("version", at: version.location, "is `\(version.value)`, not a kernel version",
                                 fix: "write the version `make kernelversion` prints, or its start, e.g. version = \"6.1\"")
        }
        self.version = version
        let config = try reader.required("config", reader.string)
        if !config.value.contains("/"), config.value.hasSuffix("config"),
           config.value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) {
            self.config = Located(.target(config.value), at: config.location)
        } else {
            let url = resolvePath(config.value, against: directory)
            guard FileManager.default.isReadableFile(atPath: url.path) else {
                throw reader.invalid("config", at: config.location, "names \(url.path), which is not a readable file nor a kbuild target",
                                     fix: "name a kbuild target such as \"tinyconfig\" or \"defconfig\", or a .config file")
            }
            self.config = Located(.file(url), at: config.location)
        }
        fragments = try Self.paths("fragments", reader: reader, directory: directory, what: "file") { url in
            FileManager.default.isReadableFile(atPath: url.path)
        }
        modules = try Self.paths("modules", reader: reader, directory: directory, what: "module directory with a Kbuild or Makefile") { url in
            ["Kbuild", "Makefile"].contains { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }
        }
        let names = modules.map(\.value.lastPathComponent)
        if let twice = modules.first(where: { module in names.filter { $0 == module.value.lastPathComponent }.count > 1 }) {
            throw reader.invalid("modules", at: twice.location, "lists two module directories named \(twice.value.lastPathComponent)",
                                 fix: "give each module directory its own name")
        }
    }

    private static func paths(_ key: String, reader: TableReader, directory: URL, what: String,
                              valid: (URL) -> Bool) throws(ConfigError) -> [Located<URL>] {
        guard let list = try reader.strings(key) else { return [] }
        var urls: [Located<URL>] = []
        for item in list.value {
            let url = resolvePath(item.value, against: directory)
            guard valid(url) else {
                throw reader.invalid(key, at: item.location, "names \(url.path), which is not a \(what)",
                                     fix: "correct the path (relative paths start at \(directory.path))")
            }
            urls.append(Located(url, at: item.location))
        }
        return urls
    }
}
