import FarmModel
import Foundation
import Portage
import Workers

extension WorkerSync {
    /// Makes a chroot-mode class's build root on a remote worker from the same inputs as the coordinator's: the seed
    /// stage (its extracted tree, packed and sent with a verified upload), the Portage wheel and the recipe, then
    /// `[build] setup` run there. The worker's `<buildroot>.stage` holds the coordinator's key, so it is made once
    /// per set of inputs and reused by later runs; a failed attempt leaves no key and is made again.
    func makeBuildRoot(_ site: WorkerSite, _ workspace: ClassWorkspace) async throws {
        guard let stage = workspace.stage,
              let key = try? String(contentsOfFile: workspace.stagingStampPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        else {
            throw InternalError("class \(workspace.nodeClass) builds in chroot mode but its build root on the coordinator has no key")
        }
        let tree = site.tree(for: workspace)
        let root = tree.stagingRoot
        let have = try await site.transport.shell("cat \(Command.shellQuoted(root + ".stage")) 2>/dev/null; true")
        guard have.trimmingCharacters(in: .whitespacesAndNewlines) != key else { return }

        let packed = NSTemporaryDirectory() + "farmctl-stage-\(UUID().uuidString).tar.zst"
        defer { try? FileManager.default.removeItem(atPath: packed) }
        let pack = try await LocalTransport().run(Command("bash", ["-c", "set -o pipefail; tar --numeric-owner -C \(Command.shellQuoted(stage.root)) -cf - . | zstd -q -1 -T0 -o \(Command.shellQuoted(packed))"]))
        guard pack.termination.succeeded else {
            throw FarmError(problem: "cannot pack the seed stage \(stage.root) for worker \(site.key): \(pack.tail.joined(separator: " "))",
                            fix: "check the free space under \(NSTemporaryDirectory())")
        }
        let wheel = try await BuildRoot.wheel(state: state, python: workspace.tree.python)
        let inputs = (tree.workDirectory as NSString).appendingPathComponent("buildroot-inputs")
        let remoteWheel = (inputs as NSString).appendingPathComponent((wheel as NSString).lastPathComponent)
        let remoteScript = (inputs as NSString).appendingPathComponent("buildroot.sh")
        try await site.upload(packed, to: inputs + "/stage.tar.zst")
        try await site.upload(wheel, to: remoteWheel)
        try await site.upload(try BuildChroot.recipeScript(), to: remoteScript)

        let (r, i) = (Command.shellQuoted(root), Command.shellQuoted(inputs))
        _ = try await site.transport.shell("rm -rf --one-file-system \(r).new \(r).stage && mkdir -p \(r).new && zstd -dc \(i)/stage.tar.zst | tar --numeric-owner -C \(r).new -xpf -")
        let log = (logs as NSString).appendingPathComponent("\(workspace.nodeClass)/buildroot-\(site.key)-\(EmergeBuildExecutor.stamp(Date())).log")
        let recipe = try BuildChroot.recipeCommand(root: root + ".new", wheel: remoteWheel, setup: workspace.profile.build.setup,
                                                   personality: tree.personality, script: remoteScript)
        let result = try await site.transport.run(recipe, logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "making the build root of class \(workspace.nodeClass) on worker \(site.key) failed (\(result.termination)): \(result.tail.suffix(3).joined(separator: " | "))",
                            fix: "read \(log); [build] setup runs on the worker, which needs what it fetches (e.g. network for apt-get)")
        }
        _ = try await site.transport.shell("rm -rf --one-file-system \(r) && mv \(r).new \(r) && echo \(Command.shellQuoted(key)) > \(r).stage && rm -rf \(i)")
    }
}
