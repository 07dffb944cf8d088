import FarmConfig
import FarmModel
import Foundation

/// The kernel (and initrd) of a class's published generation, as files on the server.
public struct PublishedKernel: Sendable, Equatable {
    /// The generation `current` pointed at when it was looked up (symlinks resolved).
    public var generation: URL
    /// The kernel image inside it.
    public var kernel: URL
    /// The initramfs inside it, when `[boot] initrd` names one.
    public var initrd: URL?
}

/// Finds a class's kernel in the generation `<roots>/<CLASS>/current` points at.
///
/// `[boot] kernel` in class.toml names it; otherwise `boot/vmlinuz` (the link installkernel keeps) or, without it, the
/// `boot/vmlinuz-<release>` with the highest release. Symlinks are followed inside the root: an absolute target means
/// the root's own `/boot`, not the server's. An initrd is used only when `[boot] initrd` names one, because an
/// initramfs with an `/init` makes the kernel ignore `nfsroot=`.
public enum KernelLocator {
    /// The published kernel of the class whose generations are in `classRoot`; nil when nothing is published yet or
    /// the root has no kernel. Throws when a file `options` names is missing.
    public static func find(classRoot: URL, options: ClassBootOptions, className: ClassName) throws(BootError) -> PublishedKernel? {
        let current = classRoot.appendingPathComponent("current").path
        guard let resolved = realpath(current, nil) else { return nil }
        let generation = URL(fileURLWithPath: String(cString: resolved)).standardizedFileURL
        free(resolved)
        guard isDirectory(generation.path) else { return nil }
        let initrd = try options.initrd.map { path throws(BootError) in try configured(path, in: generation, key: "initrd", className: className) }
        if let kernel = options.kernel {
            return PublishedKernel(generation: generation, kernel: try configured(kernel, in: generation, key: "kernel", className: className),
                                   initrd: initrd)
        }
        let boot = generation.appendingPathComponent("boot")
        let link = follow(boot.appendingPathComponent("vmlinuz"), root: generation)
        if let link, isRegularFile(link.path) { return PublishedKernel(generation: generation, kernel: link, initrd: initrd) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: boot.path)) ?? []
        let newest = names.filter { $0.hasPrefix("vmlinuz-") }
            .compactMap { name in follow(boot.appendingPathComponent(name), root: generation).map { (name, $0) } }
            .filter { isRegularFile($0.1.path) }
            .max { $0.0.compare($1.0, options: .numeric) == .orderedAscending }
        return newest.map { PublishedKernel(generation: generation, kernel: $0.1, initrd: initrd) }
    }

    private static func configured(_ path: Located<String>, in generation: URL, key: String,
                                   className: ClassName) throws(BootError) -> URL {
        guard let url = follow(generation.appendingPathComponent(path.value), root: generation), isRegularFile(url.path) else {
            throw BootError(problem: "\(path.location): `\(key)` in [boot] names \(path.value), which is not a file in the published "
                                + "root of class \(className) (\(generation.path))",
                            fix: "install it into the root (the packages file or overlay/), or correct `\(key)` and rebuild the class")
        }
        return url
    }

    /// Follows symlinks (at most 8) with absolute targets taken inside `root`; nil when the result leaves `root`.
    static func follow(_ start: URL, root: URL) -> URL? {
        var url = start.standardizedFileURL
        for _ in 0..<8 {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) else { break }
            url = (target.hasPrefix("/") ? root.appendingPathComponent(String(target.drop { $0 == "/" }))
                : url.deletingLastPathComponent().appendingPathComponent(target)).standardizedFileURL
        }
        return url.path.hasPrefix(root.path + "/") ? url : nil
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    private static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
