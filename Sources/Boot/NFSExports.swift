import FarmConfig

/// The exports file farmctl owns (exports(5) format): the class roots read-only, the writable exports read-write,
/// all to the cluster network.
///
/// Each class is exported as its directory `<roots>/<CLASS>`, not as a generation: nodes mount
/// `<roots>/<CLASS>/current`, and mountd resolves that symlink on the server (realpath) before it checks the exports
/// and hands out the file handle, so a node gets the generation `current` named when it booted and keeps it while
/// `current` moves on. The exports therefore do not change when a generation is published; a generation must not be
/// deleted while a node that booted from it is up (its file handles would go stale).
public enum NFSExports {
    /// Options of every class root: read-only; root on a node stays root (a diskless root needs its own files owned
    /// by root); no subtree check, whose file handles break when files are renamed.
    public static let rootOptions = ["ro", "sync", "no_root_squash", "no_subtree_check"]

    /// The exports file: a header, one line per class root (sorted), then the writable exports in their order.
    public static func render(classRoots: [String], clusterNetwork: IPv4Network, writable: [WritableExport]) -> String {
        var lines = [PXEConfig.header,
                     "# Class roots, read-only: nodes mount <root>/current (NFSv4: the node follows the link; NFSv3: mountd resolves it)."]
        lines += classRoots.sorted().map { line(path: $0, network: clusterNetwork, options: rootOptions) }
        if !writable.isEmpty {
            lines.append("# Writable exports ([pxe] writable_exports in workers.conf).")
            lines += writable.map { line(path: $0.path, network: clusterNetwork, options: $0.options) }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func line(path: String, network: IPv4Network, options: [String]) -> String {
        "\(escape(path)) \(network)(\(options.joined(separator: ",")))"
    }

    /// Writes spaces, control characters, `#`, `"` and `\` as a backslash and three octal digits, as exports(5) reads them.
    static func escape(_ path: String) -> String {
        var bytes: [UInt8] = []
        for byte in path.utf8 {
            if byte <= 0x20 || byte == 0x7f || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                let octal = String(byte, radix: 8)
                bytes += Array(("\\" + String(repeating: "0", count: 3 - octal.count) + octal).utf8)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
