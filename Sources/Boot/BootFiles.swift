import FarmConfig
import FarmModel
import Foundation

/// A registered node as network boot sees it.
public struct NodeBoot: Sendable, Equatable {
    /// The node's name (comments only).
    public var name: String
    /// The MAC it PXE-boots from.
    public var mac: MACAddress
    /// The class it boots.
    public var nodeClass: ClassName

    /// A node `name` with `mac`, booting `nodeClass`.
    public init(name: String, mac: MACAddress, nodeClass: ClassName) {
        self.name = name
        self.mac = mac
        self.nodeClass = nodeClass
    }
}

extension PXEConfig {
    /// Rendering settings from the `[pxe]` table.
    public init(_ settings: PXESettings) {
        self.init(server: settings.server.description, nfsOptions: settings.nfsOptions, timeout: settings.timeout)
    }
}

/// The text files of network boot, rendered from the settings, the classes and the nodes (no I/O).
public enum BootFiles {
    /// `<tftp>/pxelinux.cfg/default`, one `<tftp>/pxelinux.cfg/01-<mac>` per node, and the export configuration of
    /// each `[pxe] nfs_server` (knfsd's exports file, ganesha's EXPORT blocks).
    ///
    /// Throws when a class is named like the local-disk label, or when the roots path cannot be written into
    /// `nfsroot=` (a space ends the kernel argument, a comma starts the mount options).
    public static func render(pxe: PXESettings, roots: URL, classes: [ClassBoot], nodes: [NodeBoot]) throws(BootError) -> [PlannedFile] {
        if classes.contains(where: { $0.name.rawValue == PXEConfig.localLabel }) {
            throw BootError(problem: "class `\(PXEConfig.localLabel)` has the name of the PXE label that boots the local disk",
                            fix: "rename profiles/\(PXEConfig.localLabel)/ (and its roots) to another class name")
        }
        let rootsPath = roots.standardizedFileURL.path
        if rootsPath.contains(where: { $0.isWhitespace || $0 == "," || $0 == ":" || $0 == "\"" }) {
            throw BootError(problem: "the roots directory \(rootsPath) has a space, comma, colon or quote, which nfsroot= cannot carry",
                            fix: "move the roots to a plain path and set `roots` in [farm] of workers.conf, e.g. /srv/farm/roots")
        }
        let config = PXEConfig(pxe)
        let directory = pxe.tftpRoot.appendingPathComponent("pxelinux.cfg")
        var files = [PlannedFile(url: directory.appendingPathComponent("default"), text: config.default(classes: classes))]
        for node in nodes.sorted(by: { $0.mac < $1.mac }) {
            let boot = classes.first { $0.name == node.nodeClass }
                ?? ClassBoot(name: node.nodeClass, kernel: nil, nfsroot: classRoot(roots, node.nodeClass) + "/current")
            files.append(PlannedFile(url: directory.appendingPathComponent(node.mac.pxelinuxConfigName),
                                     text: config.node(mac: node.mac, class: boot, name: node.name)))
        }
        let classRoots = classes.map { classRoot(roots, $0.name) }
        if pxe.nfsServers.contains(.knfsd) {
            files.append(PlannedFile(url: pxe.exportsFile, text: NFSExports.render(
                classRoots: classRoots, clusterNetwork: pxe.clusterNetwork, writable: pxe.writableExports)))
        }
        if pxe.nfsServers.contains(.ganesha) {
            files.append(PlannedFile(url: pxe.ganeshaExportsFile, text: GaneshaExports.render(
                classRoots: classRoots, clusterNetwork: pxe.clusterNetwork, writable: pxe.writableExports)))
        }
        return files
    }

    /// What an earlier run left that the new set may lack: per-node files (only those with farmctl's header, so a
    /// hand-written one stays) and the kernels in `<tftp>/<CLASS>/`, a directory farmctl owns.
    public static func staleRules(pxe: PXESettings, classes: [ClassName]) -> [StaleFileRule] {
        let perNode = StaleFileRule(directory: pxe.tftpRoot.appendingPathComponent("pxelinux.cfg")) { url in
            MACAddress(pxelinuxConfigName: url.lastPathComponent) != nil && startsWithHeader(url)
        }
        return [perNode] + classes.map { StaleFileRule(directory: pxe.tftpRoot.appendingPathComponent($0.rawValue)) { _ in true } }
    }

    /// `<roots>/<CLASS>`, the directory exported for a class.
    static func classRoot(_ roots: URL, _ name: ClassName) -> String {
        roots.standardizedFileURL.appendingPathComponent(name.rawValue).path
    }

    private static func startsWithHeader(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: PXEConfig.header.utf8.count)) ?? Data()
        return head == Data(PXEConfig.header.utf8)
    }
}
