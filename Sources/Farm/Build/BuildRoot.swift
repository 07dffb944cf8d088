import Digests
import FarmModel
import Foundation
import Portage
import Seed
import Workers

/// A chroot-mode class's build root on the coordinator (`[build] mode = "chroot"`): its seed stage, what
/// `[build] setup` adds and Portage from the wheel, made once per inputs (`<root>.stage` holds their key) and reused
/// by every later build; made anew when the stage, the setup, the wheel or the recipe changes.
struct BuildRoot: Sendable {
    let stage: SeedStage
    let setup: String?
    /// The Portage wheel installed into the root.
    let wheel: String

    /// The digest of everything the root is made from.
    func key() throws -> String {
        let recipe = try Digest.hex(.sha256, ofFile: URL(fileURLWithPath: try BuildChroot.recipeScript()))
        let wheelDigest = try Digest.hex(.sha256, ofFile: URL(fileURLWithPath: wheel))
        let text = "stage=\(stage.digest)\nsetup=\(setup ?? "")\nwheel=\(wheelDigest)\nrecipe=\(recipe)\n"
        return "buildroot:" + (try Digest.hex(.sha256, of: Data(text.utf8)))
    }

    /// Makes the root at `path` (the stage copied in, then the recipe), logging to `log`; on failure nothing is
    /// stamped, so the next run starts it again.
    func make(at path: String, personality: Command.Personality, log: String) async throws {
        try await RootCopy.copyStage(stage, into: path)
        let command = try BuildChroot.recipeCommand(root: path, wheel: wheel, setup: setup, personality: personality)
        try FileManager.default.createDirectory(atPath: (log as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let result = try await LocalTransport().run(command, logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw FarmError(problem: "making the build root \(path) from \(stage.source) failed (\(result.termination)): \(result.tail.suffix(3).joined(separator: " | "))",
                            fix: "read \(log); check [build] setup in the class.toml (it runs inside the new root, as root, with this host's DNS)")
        }
    }

    /// The Portage wheel for build roots: `<state>/wheels/portage-<version>-*.whl` for the coordinator's own Portage
    /// version, downloaded there once with the coordinator's pip when missing.
    static func wheel(state: URL, python: String) async throws -> String {
        let transport = LocalTransport()
        let (versionResult, versionText) = try await transport.capture(
            Command(python, ["-c", "import importlib.metadata as m; print(m.version('portage'))"]), limit: 1 << 16)
        let version = versionText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard versionResult.termination.succeeded, !version.isEmpty else {
            throw FarmError(problem: "cannot read the Portage version of \(python): \(versionResult.tail.suffix(2).joined(separator: " | "))",
                            fix: "run `make bootstrap` to install Portage into .venv")
        }
        let directory = state.appendingPathComponent("wheels").path
        func found() -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.sorted().first { $0.hasPrefix("portage-\(version)-") && $0.hasSuffix(".whl") }
                .map { (directory as NSString).appendingPathComponent($0) }
        }
        if let wheel = found() { return wheel }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let download = Command(python, ["-m", "pip", "download", "-q", "--disable-pip-version-check", "--no-deps",
                                        "--only-binary=:all:", "portage==\(version)", "-d", directory])
        let result = try await transport.run(download)
        guard result.termination.succeeded, let wheel = found() else {
            throw FarmError(problem: "no Portage \(version) wheel in \(directory) for the build roots, and pip could not download it: \(result.tail.suffix(2).joined(separator: " | "))",
                            fix: "on a machine with network: `pip download --no-deps portage==\(version) -d \(directory)`, then run again")
        }
        return wheel
    }
}
