import FarmModel

/// The `[boot]` table of `class.toml`: how the class's nodes boot over the network.
///
/// ```toml
/// [boot]
/// softlevel = "diskless"               # OpenRC runlevel the nodes start (default "diskless")
/// kernel_cmdline = "console=ttyS0,115200"   # extra kernel arguments
/// kernel = "boot/vmlinuz-6.6.30-gentoo"     # inside the root; default: boot/vmlinuz's target, else the newest boot/vmlinuz-*
/// initrd = "boot/initramfs-6.6.30-gentoo.img"   # only when the nodes need one (none by default)
/// init = "/boot/stateless.sh"          # the program the kernel runs first (default)
/// services = ["local", "rpcbind", "nfsclient", "netmount", "sshd"]   # OpenRC services of the softlevel runlevel
/// mount_points = ["/mnt/unionfs/etc", "/mnt/unionfs/var"]          # directories the init mounts on (default)
/// ```
public struct ClassBootOptions: Sendable, Equatable {
    /// The OpenRC runlevel the nodes boot into (`softlevel=` on the kernel command line).
    public var softlevel = "diskless"
    /// Extra kernel arguments, appended after the ones farmctl sets.
    public var kernelCommandLine = ""
    /// The kernel inside the class root (relative path), when not found by the defaults.
    public var kernel: Located<String>?
    /// An initramfs inside the class root (relative path); none by default (its `/init` would ignore `nfsroot=`).
    public var initrd: Located<String>?
    /// The first program the kernel runs (`init=`), an absolute path inside the root.
    public var initProgram = "/boot/stateless.sh"
    /// The services of the softlevel runlevel: `/etc/runlevels/<softlevel>/<service>` links to `/etc/init.d/<service>`.
    public var services: [String] = []
    /// Empty directories the root must have for the stateless init (absolute paths inside the root).
    public var mountPoints = ["/mnt/unionfs/etc", "/mnt/unionfs/var"]

    static let keys = ["softlevel", "kernel_cmdline", "kernel", "initrd", "init", "services", "mount_points"]
    /// Kernel arguments farmctl writes itself; `kernel_cmdline` may not repeat them.
    static let reservedArguments = ["root", "nfsroot", "ip", "init", "softlevel", "initrd", "rw", "ro"]
    /// OpenRC's own runlevels, which are not a place to start a node's services.
    static let reservedRunlevels: Set<String> = ["sysinit", "boot", "shutdown", "single"]

    /// The defaults: softlevel `diskless`, `/boot/stateless.sh`, kernel found in the root, no initrd.
    public init() {}

    init(_ table: TOMLTable) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[boot] in class.toml")
        try reader.rejectUnknownKeys(allowed: Self.keys)
        if let level = try reader.string("softlevel") {
            guard level.value.first != ".", level.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }),
                  !Self.reservedRunlevels.contains(level.value) else {
                throw reader.invalid("softlevel", at: level.location, "is `\(level.value)`, not a runlevel the nodes can boot into",
                                     fix: "name a runlevel directory of the root's /etc/runlevels other than sysinit, boot, shutdown "
                                         + "and single, e.g. softlevel = \"diskless\"")
            }
            softlevel = level.value
        }
        if let line = try reader.string("kernel_cmdline") {
            kernelCommandLine = try Self.commandLine(line, reader: reader)
        }
        kernel = try Self.rootPath("kernel", reader: reader, example: "boot/vmlinuz-6.6.30-gentoo")
        initrd = try Self.rootPath("initrd", reader: reader, example: "boot/initramfs-6.6.30-gentoo.img")
        if let program = try reader.string("init") {
            guard program.value.hasPrefix("/"), !program.value.contains(where: \.isWhitespace) else {
                throw reader.invalid("init", at: program.location, "is `\(program.value)`, not an absolute path without spaces",
                                     fix: "write the program's path inside the root, e.g. init = \"/boot/stateless.sh\"")
            }
            initProgram = program.value
        }
        if let list = try reader.strings("services") {
            services = try list.value.map { service throws(ConfigError) in
                guard service.value.first != ".", service.value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                    throw reader.invalid("services", at: service.location, "lists `\(service.value)`, not an OpenRC service name",
                                         fix: "list the names of scripts in the root's /etc/init.d, e.g. \"sshd\"")
                }
                return service.value
            }
        }
        if let list = try reader.strings("mount_points") {
            mountPoints = try list.value.map { path throws(ConfigError) in
                let parts = path.value.split(separator: "/")
                guard path.value.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !path.value.contains(where: \.isWhitespace) else {
                    throw reader.invalid("mount_points", at: path.location, "lists `\(path.value)`, not an absolute directory inside the root",
                                         fix: "write absolute paths without `..` or spaces, e.g. \"/mnt/unionfs/etc\"")
                }
                return path.value
            }
        }
    }

    private static func commandLine(_ line: Located<String>, reader: TableReader) throws(ConfigError) -> String {
        guard !line.value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != " " }) else {
            throw reader.invalid("kernel_cmdline", at: line.location, "has a line break or control character",
                                 fix: "write the extra kernel arguments on one line, separated by spaces")
        }
        let words = line.value.split(whereSeparator: \.isWhitespace)
        for word in words {
            let name = String(word.prefix { $0 != "=" })
            guard !reservedArguments.contains(name) else {
                let hint = ["init", "softlevel", "initrd"].contains(name) ? "set `\(name)` under [boot] instead"
                    : "farmctl sets root, nfsroot, ip and ro itself (from [pxe] in workers.conf); the root stays read-only"
                throw reader.invalid("kernel_cmdline", at: line.location, "sets `\(word)`, which farmctl writes itself",
                                     fix: "remove `\(word)`; \(hint)")
            }
        }
        return words.joined(separator: " ")
    }

    /// A relative path inside the class root, without `..` and spaces (TFTP serves a copy under the same name).
    private static func rootPath(_ key: String, reader: TableReader, example: String) throws(ConfigError) -> Located<String>? {
        guard let path = try reader.string(key) else { return nil }
        let relative = String(path.value.drop { $0 == "/" })
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !relative.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == ".." || $0 == "." }),
              relative.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.+/".contains($0)) }) else {
            throw reader.invalid(key, at: path.location, "is `\(path.value)`, not a plain path inside the class root",
                                 fix: "write the file's path inside the root without `..` or spaces, e.g. \(key) = \"\(example)\"")
        }
        return Located(relative, at: path.location)
    }
}
