import Boot
import FarmConfig
import FarmModel
import Foundation
import Store

/// What `farmctl pxe sync` (and every publish, rollback and node change) did to the network-boot files.
public struct NetworkBootReport: Sendable, Encodable {
    public var written: [String]
    public var unchanged: Int
    public var removed: [String]
    /// The exports file changed: the NFS server must re-read it (`exportfs -ra`).
    public var exportsChanged: Bool
    public var exportsFile: String
    /// The ganesha exports file changed: ganesha must be restarted (it does not re-read a replaced export).
    public var ganeshaChanged = false
    public var ganeshaFile: String?
    /// Where the PXE files and class kernels are, and the roots the exports name (for boot tests and scripts).
    public var tftpRoot: String = ""
    public var rootsDirectory: String = ""
}

extension Farm {
    /// Rewrites the PXE files, the class kernels under the TFTP root and the exports file for the farm as it is now:
    /// each class's `current`, the recorded nodes. Nil when workers.conf has no `[pxe]` table.
    public func syncNetworkBoot() throws -> NetworkBootReport? {
        guard let pxe = settings.pxe else { return nil }
        let records = FileManager.default.fileExists(atPath: settings.database.path) ? try existingStore().nodes() : []
        let nodes = records.compactMap { record -> NodeBoot? in
            guard let mac = MACAddress(record.mac), let nodeClass = ClassName(record.class) else { return nil }
            return NodeBoot(name: record.name, mac: mac, nodeClass: nodeClass)
        }
        let report = try BootPublisher.publish(settings: settings, profiles: try profiles(named: []), nodes: nodes)
        return NetworkBootReport(written: report.written.map(\.path), unchanged: report.unchanged.count,
                                 removed: report.removed.map(\.path),
                                 exportsChanged: pxe.nfsServers.contains(.knfsd) && report.changed(pxe.exportsFile),
                                 exportsFile: pxe.exportsFile.path,
                                 ganeshaChanged: pxe.nfsServers.contains(.ganesha) && report.changed(pxe.ganeshaExportsFile),
                                 ganeshaFile: pxe.nfsServers.contains(.ganesha) ? pxe.ganeshaExportsFile.path : nil,
                                 tftpRoot: pxe.tftpRoot.path, rootsDirectory: settings.roots.path)
    }
}
