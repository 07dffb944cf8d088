import FarmModel
import Foundation
import Workers

extension KernelBuilder {
    /// Brings a kernel built on a worker into the coordinator's cache: `root/` packed there, downloaded (size and
    /// SHA-256 checked by the transport), unpacked beside its place, checked (image, System.map, config and every
    /// module listed by depmod), then renamed into place and stamped `.done`; returns the coordinator's copy.
    func bringBack(_ built: BuiltKernel) async throws -> BuiltKernel {
        guard let mirror else { return built }
        let archive = (built.tree as NSString).deletingLastPathComponent + "/root.tar"
        try await runChecked(Command("tar", ["-C", built.tree, "-cf", archive, "."]), log: nil,
                             problem: "packing the kernel tree \(built.tree) on \(hostName) failed",
                             fix: "check the free space under \(directory) on \(hostName)")
        let work = "\(mirror)/\(built.key)/modules-\(built.modulesKey)"
        let partial = work + "/root.partial"
        try await onOwnThread(named: "farmctl-kernel-tree") {
            try? FileManager.default.removeItem(atPath: partial)
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        }
        try await host.fetch(archive, to: work + "/root.tar")
        try await host.remove(archive)
        let (result, _) = try await LocalTransport().capture(Command("tar", ["-xf", work + "/root.tar", "-C", partial]), limit: 4096)
        try? FileManager.default.removeItem(atPath: work + "/root.tar")
        guard result.termination.succeeded else {
            throw Problem(problem: "unpacking the kernel tree from \(hostName) into \(partial) failed: \(result.tail.suffix(3).joined(separator: " | "))",
                          fix: "check the free space under \(mirror)")
        }
        let (release, moduleFiles, worker, cache) = (built.release, built.moduleFiles, hostName, "\(directory)/\(built.key)")
        try await onOwnThread(named: "farmctl-kernel-tree") {
            for file in ["vmlinuz", "System.map", "config"] where !FileManager.default.fileExists(atPath: "\(partial)/boot/\(file)-\(release)") {
                throw Problem(problem: "the kernel tree brought back from \(worker) has no boot/\(file)-\(release)",
                              fix: "run the build again; the worker's cache is \(cache)")
            }
            let listed = Self.depmodListed("\(partial)/lib/modules/\(release)")
            for file in moduleFiles where !listed.contains("extra/\(file)") {
                throw Problem(problem: "the kernel tree brought back from \(worker) does not list extra/\(file) in modules.dep",
                              fix: "run the build again; the worker's cache is \(cache)")
            }
            try? FileManager.default.removeItem(atPath: work + "/.done")
            try? FileManager.default.removeItem(atPath: work + "/root")
            try FileManager.default.moveItem(atPath: partial, toPath: work + "/root")
            try moduleFiles.joined(separator: "\n").write(toFile: work + "/.done", atomically: true, encoding: .utf8)
        }
        var local = built
        local.tree = work + "/root"
        return local
    }
}
