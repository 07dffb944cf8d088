import CPU
import FarmModel
import Foundation

/// A node class's configuration: the directory `profiles/<CLASS>/`.
public struct ClassProfile: Sendable, Equatable {
    /// `REPO:path` from `portage_profile`: a profile inside an ebuild repository.
    public struct PortageProfile: Sendable, Equatable, CustomStringConvertible {
        /// The repository's name (its `profiles/repo_name`).
        public var repository: String
        /// The profile's path under the repository's `profiles/`, e.g. `default/linux/x86/23.0`.
        public var path: String

        /// A profile `path` inside `repository`.
        public init(repository: String, path: String) {
            self.repository = repository
            self.path = path
        }

        public var description: String { "\(repository):\(path)" }
    }

    /// The class's name (its directory name).
    public var name: ClassName
    /// The class's directory.
    public var directory: URL
    /// The architecture the class's nodes run.
    public var arch: Arch
    /// The Portage profile the class builds against.
    public var portageProfile: PortageProfile
    /// `description` from `class.toml`.
    public var description: String?
    /// The class's `make.conf`.
    public var makeConf: MakeConf
    /// The packages the class's root contains, from `packages`, each with its line.
    public var packageSet: [Located<Atom>]
    /// `package.use`, if present (a file or directory).
    public var packageUse: URL?
    /// `package.accept_keywords`, if present (a file or directory).
    public var packageAcceptKeywords: URL?
    /// `package.env`, if present (a file or directory).
    public var packageEnv: URL?
    /// `env/`, if present: the files `package.env` names (copied to the config root's `/etc/portage/env`).
    public var envDirectory: URL?
    /// `overlay/`, if present: files copied over the assembled root.
    public var overlay: URL?
    /// The `[cpu]` table of `class.toml`.
    public var cpu: ClassCPU
    /// What the class's code needs from a CPU (from CFLAGS, CPU_FLAGS_X86 and `[cpu]`).
    public var requirements: ClassRequirements
    /// The `[boot]` table of `class.toml`: softlevel, extra kernel arguments, kernel and initrd in the root.
    public var boot = ClassBootOptions()
    /// The `[kernel]` table of `class.toml`: the class's kernel and modules; nil when the class has none.
    public var kernel: ClassKernel?
    /// The `[base]` table of `class.toml`: the seed stage every root starts from.
    public var base = ClassBase()
    /// The `[build]` table of `class.toml`: host or chroot builds.
    public var build = ClassBuildOptions()
    /// The `[audit]` table of `class.toml`: whether ISA violations stop a publish, and the files allowed to hold them.
    public var audit = ClassAudit()
    /// `overlays` of `class.toml`: shared overlay directories copied over the root before the class's own `overlay/`.
    public var sharedOverlays: [URL] = []

    /// Every overlay directory in the order it is copied: the shared ones, then `overlay/`.
    public var overlays: [URL] { sharedOverlays + (overlay.map { [$0] } ?? []) }

    /// Loads the class directory `directory`, whose last component is the class name.
    public static func load(from directory: URL) throws(ConfigError) -> ClassProfile {
        let directory = directory.standardizedFileURL
        guard let name = ClassName(directory.lastPathComponent) else {
            throw ConfigError(.invalidValue, at: SourceLocation(path: directory.path),
                              "`\(directory.lastPathComponent)` is not a valid class name",
                              fix: "rename the directory using letters, digits, `-`, `_` and `.`")
        }
        let toml = try TOML.load(directory.appendingPathComponent("class.toml"))
        let settings = try ClassSettings(toml, directory: directory)
        func optional(_ file: String) -> URL? {
            let url = directory.appendingPathComponent(file)
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        var isDirectory: ObjCBool = false
        let overlay = directory.appendingPathComponent("overlay")
        let hasOverlay = FileManager.default.fileExists(atPath: overlay.path, isDirectory: &isDirectory) && isDirectory.boolValue
        let makeConf = try MakeConf.load(from: directory.appendingPathComponent("make.conf"))
        if let format = makeConf.value("BINPKG_FORMAT"), !["xpak", "gpkg"].contains(format) {
            throw ConfigError(.invalidValue, at: makeConf.location(of: "BINPKG_FORMAT") ?? SourceLocation(path: makeConf.path),
                              "BINPKG_FORMAT=\"\(format)\" is not a binpkg format Portage writes",
                              fix: "set BINPKG_FORMAT=\"xpak\" or BINPKG_FORMAT=\"gpkg\", or remove the line (default xpak)")
        }
        let requirements = try requirements(name: name, arch: settings.arch, makeConf: makeConf, cpu: settings.cpu)
        return ClassProfile(
            name: name, directory: directory, arch: settings.arch, portageProfile: settings.portageProfile,
            description: settings.description,
            makeConf: makeConf,
            packageSet: try PackageSetFile.load(directory.appendingPathComponent("packages")),
            packageUse: optional("package.use"), packageAcceptKeywords: optional("package.accept_keywords"),
            packageEnv: optional("package.env"), envDirectory: optional("env"), overlay: hasOverlay ? overlay : nil,
            cpu: settings.cpu, requirements: requirements, boot: settings.boot, kernel: settings.kernel,
            base: settings.base, build: settings.build, audit: settings.audit, sharedOverlays: settings.overlays)
    }
}

/// The keys of `class.toml`.
struct ClassSettings {
    var arch: Arch
    var portageProfile: ClassProfile.PortageProfile
    var description: String?
    var cpu: ClassCPU
    var boot: ClassBootOptions
    var kernel: ClassKernel?
    var base: ClassBase
    var build: ClassBuildOptions
    var audit: ClassAudit
    var overlays: [URL] = []

    init(_ table: TOMLTable, directory: URL) throws(ConfigError) {
        let reader = TableReader(table: table, name: "class.toml")
        try reader.rejectUnknownKeys(allowed: ["arch", "portage_profile", "description", "overlays", "cpu", "boot", "kernel", "base", "build", "audit"])
        cpu = try reader.table("cpu").map { table throws(ConfigError) in try ClassCPU(table) } ?? ClassCPU()
        boot = try reader.table("boot").map { table throws(ConfigError) in try ClassBootOptions(table) } ?? ClassBootOptions()
        base = try reader.table("base").map { table throws(ConfigError) in try ClassBase(table, directory: directory) } ?? ClassBase()
        let base = base
        audit = try reader.table("audit").map { table throws(ConfigError) in try ClassAudit(table) } ?? ClassAudit()
        build = try reader.table("build").map { table throws(ConfigError) in try ClassBuildOptions(table, base: base) } ?? ClassBuildOptions()
        let arch = try reader.required("arch", reader.string)
        let known = Arch.allCases.map(\.rawValue).joined(separator: ", ")
        guard let value = Arch(rawValue: arch.value) else {
            throw reader.invalid("arch", at: arch.location, "is `\(arch.value)`, not a known arch", fix: "set arch to one of: \(known)")
        }
        self.arch = value
        kernel = try reader.table("kernel").map { table throws(ConfigError) in try ClassKernel(table, arch: value, directory: directory) }
        for item in try reader.strings("overlays")?.value ?? [] {
            let url = resolvePath(item.value, against: directory)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw reader.invalid("overlays", at: item.location, "names \(url.path), which is not a directory",
                                     fix: "list directories of files to copy over the root (relative paths start at \(directory.path))")
            }
            overlays.append(url)
        }
        let profile = try reader.required("portage_profile", reader.string)
        let parts = profile.value.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !parts[1].hasPrefix("/"),
              !parts[1].split(separator: "/").contains("..") else {
            throw reader.invalid("portage_profile", at: profile.location, "is `\(profile.value)`, not `REPO:path`",
                                 fix: "name a repository and a profile inside it, e.g. portage_profile = \"gentoo:default/linux/x86/23.0\"")
        }
        portageProfile = .init(repository: String(parts[0]), path: String(parts[1]))
        description = try reader.string("description")?.value
    }
}

/// The `packages` file of a class: one atom per line, `#` comments.
enum PackageSetFile {
    static func load(_ url: URL) throws(ConfigError) -> [Located<Atom>] {
        let text = try readConfigFile(url, fix: "create \(url.path) listing one package atom per line")
        var atoms: [Located<Atom>] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let location = SourceLocation(path: url.path, line: index + 1)
            let line = rawLine.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let atom: Atom
            do {
                atom = try Atom(line)
            } catch {
                throw ConfigError(.invalidValue, at: location, error.problem,
                                  fix: "write one atom per line, e.g. `dev-libs/libfoo` or `>=dev-libs/libfoo-1.2`")
            }
            if let blocker = atom.blocker {
                throw ConfigError(.invalidValue, at: location, "blocker `\(atom)` in a package set",
                                  fix: "list only packages to install; remove the `\(blocker.rawValue)` line or mask the package instead")
            }
            atoms.append(Located(atom, at: location))
        }
        return atoms
    }
}
