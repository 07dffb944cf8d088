import FarmModel
import Foundation

/// The `[build]` table of `class.toml`: where the class's packages are compiled.
///
/// ```toml
/// [build]
/// mode = "chroot"   # inside the class's own build root (its seed stage + Portage), under `linux32 chroot`
/// setup = "apt-get install -y gcc libc6-dev python3-venv bzip2 zstd file pax-utils"   # run once in a new build root
/// ```
public struct ClassBuildOptions: Sendable, Equatable {
    /// How packages are built.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        /// On the worker's own system (`linux32 emerge` with the host's `gcc -m32` for x86 on amd64).
        case host
        /// Inside the class's build root, made from its seed stage, as the recipe's `linux32 chroot` does.
        case chroot
    }

    public var mode: Located<Mode>?
    /// A shell command run once inside a new build root (as root, with the host's DNS lent) to add what the stage
    /// lacks for building (a Gentoo stage3 needs nothing; a Debian stand-in needs its compiler and python3-venv).
    public var setup: String?

    /// Host mode, no setup.
    public init() {}

    /// The mode in effect (host when not set).
    public var effectiveMode: Mode { mode?.value ?? .host }

    init(_ table: TOMLTable, base: ClassBase) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[build] in class.toml")
        try reader.rejectUnknownKeys(allowed: ["mode", "setup"])
        if let text = try reader.string("mode") {
            guard let mode = Mode(rawValue: text.value) else {
                throw reader.invalid("mode", at: text.location, "is `\(text.value)`, not a build mode",
                                     fix: "set mode = \"host\" (build on the worker's system) or mode = \"chroot\" (inside the class's build root)")
            }
            if mode == .chroot, base.stage == nil {
                throw reader.invalid("mode", at: text.location, "is `chroot`, but the class has no seed stage to make its build root from",
                                     fix: "add a [base] table with stage = \"<stage tarball or directory>\", or set mode = \"host\"")
            }
            self.mode = Located(mode, at: text.location)
        }
        if let setup = try reader.string("setup") {
            guard !setup.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw reader.invalid("setup", at: setup.location, "is empty", fix: "remove the key, or give the command that prepares a build root")
            }
            self.setup = setup.value
        }
    }
}
