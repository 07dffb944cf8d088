import Foundation
import Seed
import Workers

/// Copies trees into a root the way a merged-/usr root needs: a stage into an empty directory with everything kept
/// (owners, devices, links), and kernels or overlays over a root with `tar --keep-directory-symlink`, so their
/// `lib/modules` lands in `usr/lib/modules` through the root's `lib -> usr/lib` instead of failing (`cp -a` does).
enum RootCopy {
    /// Copies the stage's files into `directory` (created; must not exist or be empty).
    static func copyStage(_ stage: SeedStage, into directory: String, transport: any WorkerTransport = LocalTransport()) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try await transport.run(Command("cp", ["-a", stage.root + "/.", directory + "/"]))
        guard result.termination.succeeded else {
            throw FarmError(problem: "copying the seed stage \(stage.source) into \(directory) failed: \(result.tail.joined(separator: " "))",
                            fix: "check the free space under \(directory)")
        }
    }

    /// Copies the contents of `source` over `root`, owned by root, keeping the root's links to directories.
    static func overlay(_ source: String, onto root: String, what: String, transport: any WorkerTransport = LocalTransport()) async throws {
        let script = "tar --owner=0 --group=0 -C \(Command.shellQuoted(source)) -cf - . | "
            + "tar -C \(Command.shellQuoted(root)) -xpf - --keep-directory-symlink --no-overwrite-dir"
        let result = try await transport.run(Command("bash", ["-c", "set -o pipefail; " + script]))
        guard result.termination.succeeded else {
            throw FarmError(problem: "copying \(what) from \(source) into \(root) failed: \(result.tail.joined(separator: " "))",
                            fix: "check the free space under \(root) and that \(source) is readable")
        }
    }

    /// Removes a root directory tree, if present.
    static func remove(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        do { try FileManager.default.removeItem(atPath: path) } catch {
            throw FarmError(problem: "cannot remove \(path): \(error.localizedDescription)", fix: "remove it by hand, then run again")
        }
    }
}
