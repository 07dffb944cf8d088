import FarmConfig

/// The nfs-ganesha export blocks farmctl owns (an `%include` file for ganesha.conf): the class roots read-only over
/// NFSv4, the writable exports read-write, all to the cluster network.
///
/// Each class is exported as its directory `<roots>/<CLASS>` with `Pseudo` equal to `Path`, so the nodes' one
/// `nfsroot=SERVER:<roots>/<CLASS>/current,vers=4` works against knfsd and ganesha alike: over NFSv4 the node walks
/// the relative `current` link itself, inside the export (ganesha does not resolve a mount path's symlinks on the
/// server as knfsd's mountd does, so NFSv3 cannot follow `current` there; exporting the link itself fails with ELOOP).
/// A publish or a rollback is one symlink on the server and no reload. The server's own ganesha.conf must set
/// `NFSV4 { Only_Numeric_Owners = true; }` (nodes run no idmapper: without it every file is nobody's).
public enum GaneshaExports {
    /// The include file: a header, one EXPORT block per class root (sorted), then the writable exports.
    public static func render(classRoots: [String], clusterNetwork: IPv4Network, writable: [WritableExport]) -> String {
        var ids = Set<Int>()
        var blocks = [PXEConfig.header,
                      "# nfs-ganesha exports: %include this file from ganesha.conf, which must also set",
                      "# NFSV4 { Only_Numeric_Owners = true; } (the nodes have no idmapper).",
                      "# Class roots, read-only over NFSv4: nodes mount <root>/current and follow the link themselves."]
        for root in classRoots.sorted() {
            blocks.append(block(path: root, id: exportID(root, taken: &ids), access: "RO", protocols: "4", revalidate: true))
        }
        for export in writable {
            let access = export.options.contains("ro") ? "RO" : "RW"
            let squash = export.options.contains("no_root_squash") ? "No_Root_Squash" : "Root_Squash"
            blocks.append(block(path: export.path, id: exportID(export.path, taken: &ids), access: access, protocols: "3, 4",
                                squash: squash))
        }
        return blocks.joined(separator: "\n") + "\n"

        // revalidate: ganesha's metadata cache would otherwise serve the old `current` link for up to a minute after
        // a publish or rollback (measured: a node booted the generation before the rollback).
        func block(path: String, id: Int, access: String, protocols: String, squash: String = "No_Root_Squash",
                   revalidate: Bool = false) -> String {
            """
            EXPORT {
                Export_Id = \(id);
                Path = "\(quoted(path))";
                Pseudo = "\(quoted(path))";
                Protocols = \(protocols);
                Transports = TCP;
                SecType = sys;
                Access_Type = None;
                Squash = \(squash);
                CLIENT { Clients = \(clusterNetwork); Access_Type = \(access); }
                FSAL { Name = VFS; }\(revalidate ? "\n    Attr_Expiration_Time = 0;" : "")
            }
            """
        }
    }

    /// A stable export id for `path` (ganesha puts it into file handles: renumbering would make nodes' handles
    /// stale): FNV-1a of the path folded into 100…65099, the next free one on a collision.
    static func exportID(_ path: String, taken: inout Set<Int>) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in path.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        var id = 100 + Int(hash % 65_000)
        while taken.contains(id) { id = id == 65_099 ? 100 : id + 1 }
        taken.insert(id)
        return id
    }

    private static func quoted(_ path: String) -> String {
        path.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
