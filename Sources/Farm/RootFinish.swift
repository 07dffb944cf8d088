import FarmConfig
import FarmModel
import Foundation
import Workers

/// What farmctl puts into a root besides packages and overlays: the class's kernel and modules, the stateless
/// init's mount points, and the softlevel runlevel's OpenRC service links. Applied to fresh and copied
/// generations alike, so both end the same.
struct RootFinish: Sendable {
    let profile: ClassProfile
    let kernel: BuiltKernel?
    let transport: any WorkerTransport

    /// The file in a root that says which kernel release farmctl installed there (so a copy can replace it).
    static let kernelStamp = "boot/.farmctl-kernel"

    /// Installs the kernel (replacing the one a copied generation holds), creates the mount points and the
    /// runlevel links. Returns warnings: services the root has no init script for.
    func apply(to root: String) async throws -> [String] {
        let fm = FileManager.default
        if let previous = try? String(contentsOfFile: "\(root)/\(Self.kernelStamp)", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), !previous.isEmpty, !previous.contains("/") {
            for path in ["boot/vmlinuz-\(previous)", "boot/System.map-\(previous)", "boot/config-\(previous)", "boot/vmlinuz",
                         "lib/modules/\(previous)", Self.kernelStamp] {
                try? fm.removeItem(atPath: "\(root)/\(path)")
            }
        }
        if let kernel {
            let copy = try await transport.run(Command("cp", ["-a", "--no-preserve=ownership", kernel.tree + "/.", root + "/"]))
            guard copy.termination.succeeded else {
                throw FarmError(problem: "copying kernel \(kernel.release) from \(kernel.tree) into \(root) failed: \(copy.tail.joined(separator: " "))",
                                fix: "check the free space under \(root)")
            }
            try fm.createSymbolicLink(atPath: "\(root)/boot/vmlinuz", withDestinationPath: "vmlinuz-\(kernel.release)")
            try (kernel.release + "\n").write(toFile: "\(root)/\(Self.kernelStamp)", atomically: true, encoding: .utf8)
        }
        for point in profile.boot.mountPoints {
            try fm.createDirectory(atPath: root + point, withIntermediateDirectories: true)
        }
        let runlevel = "\(root)/etc/runlevels/\(profile.boot.softlevel)"
        if !profile.boot.services.isEmpty { try fm.createDirectory(atPath: runlevel, withIntermediateDirectories: true) }
        var missing: [String] = []
        for service in profile.boot.services {
            let link = "\(runlevel)/\(service)"
            try? fm.removeItem(atPath: link)
            try fm.createSymbolicLink(atPath: link, withDestinationPath: "/etc/init.d/\(service)")
            if !fm.fileExists(atPath: "\(root)/etc/init.d/\(service)") { missing.append(service) }
        }
        guard !missing.isEmpty else { return [] }
        return ["class \(profile.name): runlevel \(profile.boot.softlevel) starts \(missing.joined(separator: ", ")), which the root has no "
                + "/etc/init.d script for: add the packages that provide them (e.g. sys-apps/openrc, net-misc/openssh) to "
                + "\(profile.directory.path)/packages, or drop them from [boot] services"]
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
        guard problems.isEmpty else {
            throw FarmError(problem: "class \(profile.name): the new root \(root) cannot boot: \(problems.joined(separator: "; "))",
                            fix: "the previous `current` stays published; for the init, ship it executable in the overlay (chmod +x), then build again")
        }
    }

    /// What besides packages decides a root's files: the overlays and the boot layout (a change means a fresh assembly).
    static func digest(_ profile: ClassProfile) throws -> String {
        var parts = try profile.overlays.map { try TreeDigest.compute($0.path) }
        parts.append("softlevel=\(profile.boot.softlevel) services=\(profile.boot.services) mounts=\(profile.boot.mountPoints)")
        return try KernelBuilder.digest(parts)
    }
}
