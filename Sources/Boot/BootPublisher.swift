import FarmConfig
import FarmModel
import Foundation

/// Writes everything network boot needs for the farm as it is now: each class's published kernel copied under the
/// TFTP root, the pxelinux files and the exports file, as one ``AtomicFileSet`` write.
///
/// Run it after a class's `current` moves and after the registered nodes change; unchanged files stay untouched, so
/// running it when nothing changed writes nothing. When the report says the exports file changed, the caller runs
/// `exportfs -ra` (farmctl writes the file only).
public enum BootPublisher {
    /// Looks up each class's kernel in `<roots>/<CLASS>/current`, renders the files for `nodes` and writes them.
    public static func publish(settings: FarmSettings, profiles: [ClassProfile], nodes: [NodeBoot]) throws(BootError) -> FileSetReport {
        guard let pxe = settings.pxe else {
            throw BootError(problem: "\(settings.configFile.path) has no [pxe] table, so farmctl does not write network-boot files",
                            fix: "add [pxe] with at least server = \"ADDRESS\" and cluster_network = \"NETWORK/PREFIX\"")
        }
        var classes: [ClassBoot] = []
        var kernels: [PlannedFile] = []
        for profile in profiles {
            let classRoot = settings.rootsDirectory(for: profile.name)
            let published = try KernelLocator.find(classRoot: classRoot, options: profile.boot, className: profile.name)
            var boot = ClassBoot(name: profile.name, kernel: nil, nfsroot: classRoot.appendingPathComponent("current").path,
                                 softlevel: profile.boot.softlevel, initProgram: profile.boot.initProgram,
                                 extraCommandLine: profile.boot.kernelCommandLine)
            if let published {
                boot.kernel = "\(profile.name)/\(published.kernel.lastPathComponent)"
                kernels.append(try copy(published.kernel, to: pxe.tftpRoot.appendingPathComponent(boot.kernel!)))
                if let initrd = published.initrd {
                    boot.initrd = "\(profile.name)/\(initrd.lastPathComponent)"
                    kernels.append(try copy(initrd, to: pxe.tftpRoot.appendingPathComponent(boot.initrd!)))
                }
            }
            classes.append(boot)
        }
        let files = try BootFiles.render(pxe: pxe, roots: settings.roots, classes: classes, nodes: nodes)
        return try AtomicFileSet.write(kernels + files, removing: BootFiles.staleRules(pxe: pxe, classes: profiles.map(\.name)))
    }

    private static func copy(_ source: URL, to destination: URL) throws(BootError) -> PlannedFile {
        guard let data = FileManager.default.contents(atPath: source.path) else {
            throw BootError(problem: "cannot read \(source.path) to copy it to \(destination.path)",
                            fix: "check that the file is readable by farmctl")
        }
        return PlannedFile(url: destination, contents: data)
    }
}
