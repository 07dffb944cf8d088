import FarmModel
import Foundation

/// An NFS server farmctl writes the export configuration of.
public enum NFSServer: String, Sendable, Equatable, CaseIterable {
    /// The kernel's NFS server: exports(5), re-read with `exportfs -ra`.
    case knfsd
    /// nfs-ganesha (userspace): EXPORT blocks for `%include` in ganesha.conf.
    case ganesha
}

/// The `[pxe]` table of `workers.conf`: where the boot files go and what the nodes mount.
///
/// ```toml
/// [pxe]
/// server = "10.0.0.1"               # the NFS server's address, as the nodes reach it
/// cluster_network = "10.0.0.0/24"   # who may mount the class roots (read-only)
/// tftp_root = "/srv/tftp"           # default <state>/tftp
/// exports_file = "/etc/exports.d/farmctl.exports"   # default <state>/exports
/// nfs_options = "vers=4,tcp"       # the nfsroot= mount options (default)
/// nfs_server = "knfsd"              # or "ganesha", or ["knfsd", "ganesha"]: which export configs to write
/// ganesha_exports_file = "/etc/ganesha/farmctl.conf"   # default <state>/ganesha-exports.conf
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
    /// The NFS servers farmctl writes export configuration for (default knfsd only).
    public var nfsServers: [NFSServer]
    /// The nfs-ganesha EXPORT blocks farmctl owns, for `%include` in ganesha.conf (default `<state>/ganesha-exports.conf`).
    public var ganeshaExportsFile: URL
    /// Seconds the `boot:` prompt of `pxelinux.cfg/default` waits (1–3600, default 10).
    public var timeout: Int
    /// Read-write exports to the cluster network besides the class roots (e.g. `/home`).
    public var writableExports: [WritableExport]
    /// Where the `[pxe]` header is.
    public var location: SourceLocation

    static let keys = ["tftp_root", "server", "cluster_network", "nfs_options", "exports_file", "timeout", "writable_exports",
                       "nfs_server", "ganesha_exports_file"]
    /// NFSv4: the node follows the relative `current` link itself, which works against knfsd and ganesha alike.
    static let defaultNFSOptions = "vers=4,tcp"

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
        nfsServers = try Self.servers(reader)
        ganeshaExportsFile = try reader.string("ganesha_exports_file").map { resolvePath($0.value, against: directory) }
            ?? state.appendingPathComponent("ganesha-exports.conf")
        let timeout = try reader.integer("timeout")
        if let timeout, !(1...3600).contains(timeout.value) {
            throw reader.invalid("timeout", at: timeout.location, "must be between 1 and 3600 seconds, found \(timeout.value)",
                                 fix: "set timeout = 10 (pxelinux's TIMEOUT 0 would wait at the prompt forever)")
        }
        self.timeout = timeout?.value ?? 10
        writableExports = try WritableExport.list(reader, roots: roots)
    }

    private static func servers(_ reader: TableReader) throws(ConfigError) -> [NFSServer] {
        let fix = "set nfs_server = \"knfsd\", \"ganesha\" or [\"knfsd\", \"ganesha\"]"
        let names: [Located<String>]
        if let one = try? reader.string("nfs_server") {
            names = [one]
        } else if let list = try reader.strings("nfs_server") {
            names = list.value
        } else {
            return [.knfsd]
        }
        var servers: [NFSServer] = []
        for name in names {
            guard let server = NFSServer(rawValue: name.value) else {
                throw reader.invalid("nfs_server", at: name.location, "names `\(name.value)`, not an NFS server farmctl writes for", fix: fix)
            }
            if !servers.contains(server) { servers.append(server) }
        }
        guard !servers.isEmpty else { throw reader.invalid("nfs_server", at: reader.table.location, "is an empty list", fix: fix) }
        return servers
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
