import Binpkg
import Digests
import FarmConfig
import FarmModel
import Foundation
import Kernels
import Seed
import Workers

/// What farmctl puts into a root besides packages and overlays: the class's kernel and modules, the stateless
/// init's mount points, and the softlevel runlevel's OpenRC service links. Applied to fresh and copied
/// generations alike, so both end the same.
struct RootFinish: Sendable {
    let profile: ClassProfile
    let kernel: BuiltKernel?
    let transport: any WorkerTransport
    /// `[pxe] server` of workers.conf: replaces the `SERVER` placeholder in the root's `/etc/fstab`.
    var server: String? = nil

    /// The file in a root that says which kernel release farmctl installed there (so a copy can replace it).
    static let kernelStamp = "boot/.farmctl-kernel"

    /// Installs the kernel (replacing the one a copied generation holds), creates the mount points and the
    /// runlevel links, farmctl's `local` service where the root lacks one, and `[pxe] server` in fstab.
    func apply(to root: String) async throws {
        let fm = FileManager.default
        if let previous = try? String(contentsOfFile: "\(root)/\(Self.kernelStamp)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !previous.isEmpty, !previous.contains("/") {
            for path in ["boot/vmlinuz-\(previous)", "boot/System.map-\(previous)", "boot/config-\(previous)", "boot/vmlinuz",
                         "lib/modules/\(previous)", Self.kernelStamp] {
                try? fm.removeItem(atPath: "\(root)/\(path)")
            }
        }
        if let kernel {
            try await RootCopy.overlay(kernel.tree, onto: root, what: "kernel \(kernel.release)", transport: transport)
            try fm.createSymbolicLink(atPath: "\(root)/boot/vmlinuz", withDestinationPath: "vmlinuz-\(kernel.release)")
            try Self.write(kernel.release + "\n", to: "\(root)/\(Self.kernelStamp)", mode: 0o644)
        }
        for point in profile.boot.mountPoints { try Self.makeDirectory(root + point) }
        let runlevel = "\(root)/etc/runlevels/\(profile.boot.softlevel)"
        if !profile.boot.services.isEmpty { try Self.makeDirectory(runlevel) }
        for service in profile.boot.services {
            let link = "\(runlevel)/\(service)"
            try? fm.removeItem(atPath: link)
            try fm.createSymbolicLink(atPath: link, withDestinationPath: "/etc/init.d/\(service)")
        }
        try LocalService.install(in: root, services: profile.boot.services)
        try fillServer(in: root)
    }

    /// Replaces `SERVER` in the root's fstab (e.g. `SERVER:/home`) with `[pxe] server`.
    private func fillServer(in root: String) throws {
        let fstab = root + "/etc/fstab"
        guard let server, let text = try? String(contentsOfFile: fstab, encoding: .utf8), text.contains("SERVER:") else { return }
        var info = stat()
        let mode = stat(fstab, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        try Self.write(text.replacingOccurrences(of: "SERVER:", with: "\(server):"), to: fstab, mode: mode)
    }

    /// Writes `text` to `path` with `mode`: a root's files never take farmctl's umask (nor a moment's umask of 0, which
    /// Foundation's atomic writes set while they read it).
    static func write(_ text: String, to path: String, mode: mode_t) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        guard chmod(path, mode) == 0 else {
            throw FarmError(problem: "cannot set the mode of \(path): \(String(cString: strerror(errno)))", fix: "check the root's file system")
        }
    }

    /// Creates `path` and its missing parents with mode 0755, whatever the umask.
    static func makeDirectory(_ path: String) throws {
        var missing: [String] = []
        var current = path
        while !current.isEmpty, current != "/", access(current, F_OK) != 0 {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for directory in missing.reversed() {
            guard mkdir(directory, 0o755) == 0 || errno == EEXIST, chmod(directory, 0o755) == 0 else {
                throw FarmError(problem: "cannot create \(directory): \(String(cString: strerror(errno)))", fix: "check the root's file system")
            }
        }
    }

    /// Checks a finished root can boot: the kernel image, every module listed by depmod, the executable init and
    /// the mount points. Throws naming what is missing.
    func verify(root: String) throws {
        let fm = FileManager.default
        var problems: [String] = []
        if let kernel {
            if !fm.isReadableFile(atPath: "\(root)/boot/vmlinuz-\(kernel.release)") { problems.append("no boot/vmlinuz-\(kernel.release)") }
            let listed = KernelBuilder.depmodListed("\(root)/lib/modules/\(kernel.release)")
            for file in kernel.moduleFiles where !listed.contains("extra/\(file)") || !fm.fileExists(atPath: "\(root)/lib/modules/\(kernel.release)/extra/\(file)") {
                problems.append("module extra/\(file) missing or not in modules.dep (depmod)")
            }
            if !fm.isExecutableFile(atPath: root + profile.boot.initProgram) {
                problems.append("the init \(profile.boot.initProgram) ([boot] init) is missing or not executable")
            }
        }
        for point in profile.boot.mountPoints where !fm.fileExists(atPath: root + point) { problems.append("no mount point \(point)") }
        // OpenRC skips a runlevel link to a missing script without a word: the node would boot without the service.
        let missing = profile.boot.services.filter { RootPath.resolve("/etc/init.d/\($0)", in: root) == nil }
        if !missing.isEmpty {
            problems.append("[boot] services lists \(missing.joined(separator: ", ")), which the root has no /etc/init.d script for "
                + "(add the packages that provide them to \(profile.directory.path)/packages, or drop them from [boot] services "
                + "in \(profile.directory.path)/class.toml)")
        }
        guard problems.isEmpty else {
            throw FarmError(problem: "class \(profile.name): the new root \(root) cannot boot: \(problems.joined(separator: "; "))",
                            fix: "the previous `current` stays published; for the init, ship it executable in the overlay (chmod +x); "
                                + "for services, see above; then build again")
        }
    }

    /// What besides packages decides a root's files: the overlays and the boot layout (a change means a fresh assembly).
    static func digest(_ profile: ClassProfile) throws -> String {
        var parts = try profile.overlays.map { try TreeDigest.compute($0.path) }
        parts.append("softlevel=\(profile.boot.softlevel) services=\(profile.boot.services) mounts=\(profile.boot.mountPoints)")
        return try KernelBuilder.digest(parts)
    }
}
