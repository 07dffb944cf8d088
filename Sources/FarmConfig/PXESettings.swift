import FarmModel
import Foundation

/// The `[pxe]` table of `workers.conf`: where the boot files go and what the nodes mount.
///
/// ```toml
/// [pxe]
/// server = "10.0.0.1"               # the NFS server's address, as the nodes reach it
/// cluster_network = "10.0.0.0/24"   # who may mount the class roots (read-only)
/// tftp_root = "/srv/tftp"           # default <state>/tftp
/// exports_file = "/etc/exports.d/farmctl.exports"   # default <state>/exports
/// nfs_options = "vers=3,tcp,nolock" # the nfsroot= mount options (default)
/// timeout = 10                      # seconds at the boot: prompt of pxelinux.cfg/default (default)
/// writable_exports = ["/home", "/scratch(rw,async,no_root_squash)"]
/// ```
public struct PXESettings: Sendable, Equatable {
    /// The TFTP server's root: `pxelinux.cfg/` and one `<CLASS>/` of kernels go here (default `<state>/tftp`).
    public var tftpRoot: URL
    /// The NFS server's address as the nodes reach it; the kernel takes only an address in `nfsroot=`.
    public var server: IPv4Address
    /// The nodes' network: the exports name it as their client.
    public var clusterNetwork: IPv4Network
    /// Mount options of the root, after the path in `nfsroot=` (default `vers=3,tcp,nolock`).
    public var nfsOptions: String
    /// The exports file farmctl owns (default `<state>/exports`; never `/etc/exports`).
    public var exportsFile: URL
    /// Seconds the `boot:` prompt of `pxelinux.cfg/default` waits (1–3600, default 10).
    public var timeout: Int
    /// Read-write exports to the cluster network besides the class roots (e.g. `/home`).
    public var writableExports: [WritableExport]
    /// Where the `[pxe]` header is.
    public var location: SourceLocation

    static let keys = ["tftp_root", "server", "cluster_network", "nfs_options", "exports_file", "timeout", "writable_exports"]
    static let defaultNFSOptions = "vers=3,tcp,nolock"

    /// Reads and validates the `[pxe]` table; paths resolve against `directory`, defaults go under `state`.
    init(_ table: TOMLTable, directory: URL, state: URL, roots: URL) throws(ConfigError) {
        let reader = TableReader(table: table, name: "[pxe]")
        try reader.rejectUnknownKeys(allowed: Self.keys)
        location = table.location
        tftpRoot = try reader.string("tftp_root").map { resolvePath($0.value, against: directory) }
            ?? state.appendingPathComponent("tftp")
        let server = try reader.required("server", reader.string)
        guard let address = IPv4Address(server.value) else {
            throw reader.invalid("server", at: server.location, "is `\(server.value)`, not an IPv4 address",
                                 fix: "write the NFS server's address as the nodes reach it, e.g. server = \"10.0.0.1\" "
                                     + "(the kernel mounts its root before any name service runs, so no host names)")
        }
        self.server = address
        clusterNetwork = try Self.network(reader)
        nfsOptions = try Self.nfsOptions(reader)
        exportsFile = try Self.exportsFile(reader, directory: directory, state: state)
        let timeout = try reader.integer("timeout")
        if let timeout, !(1...3600).contains(timeout.value) {
            throw reader.invalid("timeout", at: timeout.location, "must be between 1 and 3600 seconds, found \(timeout.value)",
                                 fix: "set timeout = 10 (pxelinux's TIMEOUT 0 would wait at the prompt forever)")
        }
        self.timeout = timeout?.value ?? 10
        writableExports = try WritableExport.list(reader, roots: roots)
    }

    private static func network(_ reader: TableReader) throws(ConfigError) -> IPv4Network {
        let text = try reader.required("cluster_network", reader.string)
        guard let network = IPv4Network(text.value) else {
            throw reader.invalid("cluster_network", at: text.location, "is `\(text.value)`, not an IPv4 network in CIDR form",
                                 fix: "write the nodes' network as ADDRESS/PREFIX, e.g. cluster_network = \"10.0.0.0/24\"")
        }
        guard !network.hasHostBits else {
            throw reader.invalid("cluster_network", at: text.location, "is `\(network)`, whose address has host bits set",
                                 fix: "write the network's base address: cluster_network = \"\(network.base)\"")
        }
        return network
    }

    private static func nfsOptions(_ reader: TableReader) throws(ConfigError) -> String {
        guard let text = try reader.string("nfs_options") else { return defaultNFSOptions }
        let options = text.value.split(separator: ",", omittingEmptySubsequences: false)
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "_.=-".contains($0)) }
        if let bad = options.first(where: { $0.isEmpty || !$0.allSatisfy(allowed) }) {
            throw reader.invalid("nfs_options", at: text.location, "has `\(bad)`, not a mount option",
                                 fix: "write comma-separated options without spaces, e.g. nfs_options = \"\(defaultNFSOptions)\"")
        }
        if options.contains("rw") {
            throw reader.invalid("nfs_options", at: text.location, "has `rw`, but the class roots are mounted read-only",
                                 fix: "remove `rw`; writable state belongs on tmpfs or a writable export such as /home")
        }
        return text.value
    }

    private static func exportsFile(_ reader: TableReader, directory: URL, state: URL) throws(ConfigError) -> URL {
        guard let text = try reader.string("exports_file") else { return state.appendingPathComponent("exports") }
        let url = resolvePath(text.value, against: directory)
        let fix = "farmctl replaces the whole file: set exports_file = \"/etc/exports.d/farmctl.exports\" "
            + "(exportfs reads every *.exports file there) and keep your own exports in /etc/exports"
        guard url.path != "/etc/exports" else {
            throw reader.invalid("exports_file", at: text.location, "is /etc/exports, which holds the server's other exports too", fix: fix)
        }
        let name = url.lastPathComponent
        if url.deletingLastPathComponent().path == "/etc/exports.d", !name.hasSuffix(".exports") || name.hasPrefix(".") {
            throw reader.invalid("exports_file", at: text.location, "is \(url.path), which exportfs ignores (it reads only *.exports there)",
                                 fix: "name it /etc/exports.d/farmctl.exports")
        }
        return url
    }
}
