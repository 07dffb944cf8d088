import Foundation
import FarmConfig
import FarmModel
import Portage
import Seed

/// Everything farmctl keeps on disk for one class: config root, PKGDIR, staging root, logs, roots.
struct ClassWorkspace: Sendable {
    let profile: ClassProfile
    private(set) var tree: ClassTree
    /// `<roots>/<CLASS>`: generations and the `current` link.
    let rootsDirectory: String
    /// Per-package build logs farmctl writes (`<logs>/<CLASS>/<pf>-<build id>.log`).
    let logsDirectory: String
    /// What the class's binpkgs must have been built with (make.conf, package.env), computed once.
    let binpkgCheck: ClassBinpkgCheck
    /// The seed stage the staging root and every generation start from (`[base] stage`), once opened.
    var stage: SeedStage?
    /// The farm's signing key when it signs (`[farm] signing_key`): binpkgs taken in are checked against it.
    private(set) var signingKey: SigningKey?
    /// The packages of the stage's own vdb: never built, installed or rebuilt for the class's flags by farmctl.
    var stagePackages: Set<String> { stage?.packages ?? [] }

    var nodeClass: ClassName { profile.name }
    /// The pseudo-class of Portage's host side: build-only dependencies shared by every class.
    static let host = ClassName("_host")!
    var atoms: [String] { profile.packageSet.map(\.value.description) }

    init(profile: ClassProfile, settings: FarmSettings, worker: WorkerSpec, repositories: [Repository], emerge: String) {
        self.profile = profile
        binpkgCheck = ClassBinpkgCheck(profile)
        let name = profile.name.rawValue
        let work = worker.workdir.appendingPathComponent(name).path
        tree = ClassTree(
            nodeClass: profile.name, arch: profile.arch.rawValue, emerge: emerge,
            configRoot: settings.state.appendingPathComponent("config/\(name)").path,
            repositories: repositories,
            pkgdir: settings.packagesDirectory(for: profile.name).path,
            distdir: settings.distfiles.path,
            workDirectory: work,
            needs32BitPersonality: profile.arch == .x86 && worker.arches.contains(.amd64),
            hostPkgdir: settings.packages.appendingPathComponent(ClassWorkspace.host.rawValue).path)
        tree.binpkgFormat = profile.makeConf.value("BINPKG_FORMAT") ?? "xpak"
        tree.buildsInChroot = profile.build.effectiveMode == .chroot
        rootsDirectory = settings.rootsDirectory(for: profile.name).path
        logsDirectory = settings.logs.appendingPathComponent(name).path
    }

    /// Has the class's Portage sign its gpkg binpkgs with the farm's key and check signed ones against it (in a
    /// chroot-mode class, with the build root's own gpg: its `setup` must install GnuPG, as a stage3 has it).
    mutating func sign(with key: SigningKey?) {
        guard let key else { return }
        tree.signing = key.portage
        signingKey = key
    }

    /// Writes the class's Portage config root (make.conf, make.profile, package.*) atomically.
    func writeConfigRoot() throws {
        let fm = FileManager.default
        let classToml = profile.directory.appendingPathComponent("class.toml").path
        let staging = tree.configRoot + ".new-\(getpid())"
        let stagingPortage = (staging as NSString).appendingPathComponent("etc/portage")
        try? fm.removeItem(atPath: staging)
        try fm.createDirectory(atPath: stagingPortage, withIntermediateDirectories: true)
        try fm.copyItem(atPath: profile.directory.appendingPathComponent("make.conf").path, toPath: (stagingPortage as NSString).appendingPathComponent("make.conf"))
        for extra in [profile.packageUse, profile.packageAcceptKeywords, profile.packageEnv, profile.envDirectory].compactMap({ $0?.path }) {
            try fm.copyItem(atPath: extra, toPath: (stagingPortage as NSString).appendingPathComponent((extra as NSString).lastPathComponent))
        }
        guard let repository = tree.repositories.first(where: { $0.name == profile.portageProfile.repository }) else {
            throw FarmError(problem: "\(classToml): portage_profile names repository '\(profile.portageProfile.repository)', which workers.conf does not list (known: \(tree.repositories.map(\.name).joined(separator: ", ")))",
                            fix: "add the repository's path to `repositories` in workers.conf, or fix portage_profile")
        }
        let target = (repository.location as NSString).appendingPathComponent("profiles/\(profile.portageProfile.path)")
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FarmError(problem: "\(classToml): portage_profile '\(profile.portageProfile.repository):\(profile.portageProfile.path)' does not exist (\(target))",
                            fix: "name a directory under \(repository.location)/profiles")
        }
        try fm.createSymbolicLink(atPath: (stagingPortage as NSString).appendingPathComponent("make.profile"), withDestinationPath: target)
        try fm.createDirectory(atPath: (tree.configRoot as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if fm.fileExists(atPath: tree.configRoot) {
            let old = tree.configRoot + ".old-\(getpid())"
            try fm.moveItem(atPath: tree.configRoot, toPath: old)
            try fm.moveItem(atPath: staging, toPath: tree.configRoot)
            try? fm.removeItem(atPath: old)
        } else {
            try fm.moveItem(atPath: staging, toPath: tree.configRoot)
        }
    }

    /// Creates the directories emerge writes into, and starts the staging root anew from the seed stage when the
    /// stage changed (its packages are then planned and built again, against the new stage). A chroot-mode class's
    /// staging root is its build root, made anew when any of its inputs changed; `wheel` is the Portage it gets.
    func prepareDirectories(wheel: String?, events: @escaping @Sendable (FarmEvent) -> Void = { _ in }) async throws {
        try await reseedStaging(wheel: wheel, events: events)
        for directory in [tree.pkgdir, tree.distdir, tree.stagingRoot, tree.tmpdir, tree.logdir, logsDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// `<staging>.stage`: the digest of the stage the staging root was made from (absent: no stage).
    var stagingStampPath: String { tree.stagingRoot + ".stage" }

    private func reseedStaging(wheel: String?, events: @Sendable (FarmEvent) -> Void) async throws {
        let fm = FileManager.default
        let buildRoot = tree.buildsInChroot ? stage.flatMap { stage in wheel.map { BuildRoot(stage: stage, setup: profile.build.setup, wheel: $0) } } : nil
        let wanted = try buildRoot?.key() ?? stage?.digest
        let stamp = try? String(contentsOfFile: stagingStampPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard stamp != wanted else { return }
        try? fm.removeItem(atPath: stagingStampPath)
        try RootCopy.remove(tree.stagingRoot)
        guard let stage, let wanted else { return }
        if let buildRoot {
            let log = (logsDirectory as NSString).appendingPathComponent("buildroot-\(EmergeBuildExecutor.stamp(Date())).log")
            let started = Date()
            try await buildRoot.make(at: tree.stagingRoot, personality: tree.personality, log: log)
            events(.buildRootMade(nodeClass, seconds: Date().timeIntervalSince(started), log: log))
        } else {
            try await RootCopy.copyStage(stage, into: tree.stagingRoot)
        }
        try (wanted + "\n").write(toFile: stagingStampPath, atomically: true, encoding: .utf8)
    }
}

/// A farm-level problem with the user's input or environment.
public typealias FarmError = Problem
