import Foundation
import FarmConfig
import FarmModel
import Portage
import Seed
import Store
import Workers

/// A farm: its settings from workers.conf, its class profiles and its provenance store.
public struct Farm: Sendable {
    /// Settings read from workers.conf.
    public let settings: FarmSettings

    /// Loads the farm described by `configPath` (default: `./workers.conf`).
    public static func load(configPath: String?) throws -> Farm {
        let path = configPath ?? FileManager.default.currentDirectoryPath + "/workers.conf"
        return Farm(settings: try FarmSettings.load(from: URL(fileURLWithPath: path)))
    }

    /// The profiles of the named classes (all classes when `names` is empty), validated.
    public func profiles(named names: [String]) throws -> [ClassProfile] {
        let catalog = ClassCatalog(directory: settings.profiles)
        return names.isEmpty ? try catalog.loadAll() : try catalog.load(names)
    }

    /// Opens the provenance store, creating it on first use.
    public func openStore() throws -> FarmStore {
        try FarmStore(path: settings.database.path)
    }

    /// Opens the provenance store only if it exists (queries never create one).
    public func existingStore() throws -> FarmStore {
        guard FileManager.default.fileExists(atPath: settings.database.path) else {
            throw FarmError(problem: "no provenance database at \(settings.database.path) yet",
                            fix: "run `farmctl build` first")
        }
        return try FarmStore(path: settings.database.path)
    }

    /// The named classes' workspaces on the coordinator (all classes when `names` is empty), validated.
    func workspaces(_ names: [String]) throws -> [ClassWorkspace] {
        let profiles = try profiles(named: names)
        let coordinator = settings.coordinator
        let emerge = try emergeProgram(for: coordinator)
        let repositories = try repositories()
        let signing = try SigningKey.open(settings)
        return profiles.map {
            var workspace = ClassWorkspace(profile: $0, settings: settings, worker: coordinator, repositories: repositories, emerge: emerge)
            workspace.sign(with: signing)
            return workspace
        }
    }

    /// The workspaces with their seed stages opened: digested, extracted once into `var/seed-stages`, checked.
    /// A bad stage throws naming the class.toml line and the fix, before anything of the farm is written. Classes
    /// that name the same stage share one opening (one digest of the tarball, one check).
    func seeded(_ workspaces: [ClassWorkspace]) throws -> [ClassWorkspace] {
        var opened: [String: SeedStage] = [:]
        return try workspaces.map { workspace in
            guard let stage = workspace.profile.base.stage else { return workspace }
            let key = "\(workspace.profile.arch) \(stage.value.path)"
            var seeded = workspace
            if let known = opened[key] {
                seeded.stage = known
            } else {
                seeded.stage = try SeedStage.prepare(stage.value, arch: workspace.profile.arch,
                                                     cache: settings.state.appendingPathComponent("seed-stages"),
                                                     origin: "\(stage.location): [base] stage of class \(workspace.nodeClass)")
                opened[key] = seeded.stage
            }
            return seeded
        }
    }

    /// Writes each class's Portage config root and creates its directories (the caller holds the farm lock).
    func prepare(_ workspaces: [ClassWorkspace], events: @escaping @Sendable (FarmEvent) -> Void = { _ in }) async throws {
        var wheel: String?
        if let chrooted = workspaces.first(where: { $0.tree.buildsInChroot }) {
            wheel = try await BuildRoot.wheel(state: settings.state, python: chrooted.tree.python)
        }
        for workspace in workspaces {
            try workspace.writeConfigRoot()
            try await workspace.prepareDirectories(wheel: wheel, events: events)
        }
    }

    /// The emerge program a worker uses: its `emerge` setting, else the venv beside workers.conf, else PATH.
    func emergeProgram(for worker: WorkerSpec) throws -> String {
        switch worker.emerge {
        case .configured(let configured) where configured.contains("/"):
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw FarmError(problem: "\(worker.location): worker \(worker.name): emerge = \"\(configured)\" is not an executable file",
                                fix: "install Portage (`make bootstrap`) or correct the path")
            }
            return configured
        case .venv(let url) where FileManager.default.isExecutableFile(atPath: url.path):
            return url.path
        default: break
        }
        let name = worker.emerge.command.contains("/") ? "emerge" : worker.emerge.command
        if let found = Self.onPath(name) { return found }
        throw FarmError(problem: "emerge was not found (worker \(worker.name) in \(settings.configFile.path) names none that exists, there is no .venv/bin/emerge beside it, none on PATH)",
                        fix: "run `make bootstrap` to install Portage into .venv, or set `emerge = \"/path/to/emerge\"` for the worker")
    }

    /// The first executable `name` in a directory of this process's PATH.
    static func onPath(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The repositories named in workers.conf, read from disk.
    func repositories() throws -> [Repository] {
        try settings.repositories.map { try Repository.load(at: $0.path) }
    }
}
