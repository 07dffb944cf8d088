import Binpkg
import Foundation
import FarmConfig
import FarmModel
import Portage
import Scheduler
import Workers

/// What one class needs built this run, in emerge's order, with the edges between those builds.
struct ClassPlan: Sendable {
    let workspace: ClassWorkspace
    /// Packages to build, in emerge's merge order.
    let toBuild: [MergeListEntry]
    /// For each package to build, the packages of `toBuild` it must wait for.
    let dependencies: [CPV: [CPV]]
    /// For each package to build, the distfiles it needs.
    let distfiles: [CPV: [String]]
    /// True when the build flags changed and everything is rebuilt.
    let emptyTree: Bool
    /// Packages built for Portage's host side (build-only tools, `root == nil`): one job for all classes.
    let hostSide: Set<CPV>

    init(workspace: ClassWorkspace, toBuild: [MergeListEntry], dependencies: [CPV: [CPV]], distfiles: [CPV: [String]], emptyTree: Bool) {
        self.workspace = workspace
        self.toBuild = toBuild
        self.dependencies = dependencies
        self.distfiles = distfiles
        self.emptyTree = emptyTree
        // In a build root, ROOT is / and build-only tools merge into the root itself: there is no host side.
        hostSide = workspace.tree.buildsInChroot ? [] : Set(toBuild.filter { $0.root == nil }.map(\.cpv))
    }

    /// The build job of one of its packages: the class's own, or the host side's shared one.
    func jobID(_ cpv: CPV) -> JobID {
        JobID(hostSide.contains(cpv) ? ClassWorkspace.host : workspace.nodeClass, cpv)
    }
}

/// Plans classes with the real `emerge --pretend` against each class's staging root.
struct Planner: Sendable {
    let transport: any WorkerTransport

    /// Plans one class; `reinstall` lists packages whose binpkg was quarantined, so they are built again.
    func plan(_ workspace: ClassWorkspace, reinstall: [CPV] = []) async throws -> ClassPlan {
        let tree = workspace.tree
        let emptyTree = try flagsChanged(workspace)
        let command = tree.planCommand(atoms: workspace.atoms, emptyTree: emptyTree,
                                       reinstall: Array(Set(reinstall.map(\.cp))).sorted())
        let (result, output) = try await transport.capture(command, limit: 16 << 20)
        guard result.termination.succeeded else { throw planFailure(workspace, command: command, result: result, output: output) }
        // --emptytree also re-plans installed host-side tools, which never use the class's flags: keep them.
        let hostSide = { (entry: MergeListEntry) in entry.root == nil && !tree.buildsInChroot }
        let toBuild = try MergeList.parse(output).filter { $0.kind == .ebuild && !(emptyTree && hostSide($0) && !$0.isNew) }
        guard !toBuild.isEmpty else {
            return ClassPlan(workspace: workspace, toBuild: [], dependencies: [:], distfiles: [:], emptyTree: emptyTree)
        }
        let (dependencies, distfiles) = try await edges(workspace, toBuild)
        return ClassPlan(workspace: workspace, toBuild: toBuild, dependencies: dependencies, distfiles: distfiles,
                         emptyTree: emptyTree)
    }

    /// True when a package in the staging root was built with other CHOST/CFLAGS/CXXFLAGS/LDFLAGS than the class has now.
    func flagsChanged(_ workspace: ClassWorkspace) throws -> Bool {
        let wanted = workspace.profile.makeConf
        let vdb = VarDB.path(ofRoot: workspace.tree.stagingRoot)
        let fm = FileManager.default
        for category in (try? fm.contentsOfDirectory(atPath: vdb)) ?? [] {
            let categoryPath = (vdb as NSString).appendingPathComponent(category)
            // The seed stage's own packages were built by whoever made the stage, for its flags: never a reason.
            for package in (try? fm.contentsOfDirectory(atPath: categoryPath)) ?? [] where !workspace.stagePackages.contains("\(category)/\(package)") {
                let directory = (categoryPath as NSString).appendingPathComponent(package)
                for key in ["CHOST", "CFLAGS", "CXXFLAGS", "LDFLAGS"] {
                    guard let want = wanted.value(key),
                          let have = try? String(contentsOfFile: (directory as NSString).appendingPathComponent(key), encoding: .utf8)
                    else { continue }
                    if Self.normalized(have) != Self.normalized(want) { return true }
                }
            }
        }
        return false
    }

    static func normalized(_ flags: String) -> String {
        flags.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Asks Portage (through the helper) for the edges between planned packages and their distfiles.
    func edges(_ workspace: ClassWorkspace, _ toBuild: [MergeListEntry]) async throws -> ([CPV: [CPV]], [CPV: [String]]) {
        struct Request: Encodable {
            struct Package: Encodable { var cpv: String; var repo: String?; var use: [String] }
            var packages: [Package]
        }
        struct Response: Decodable {
            var edges: [String: [String]]
            var distfiles: [String: [String]]
        }
        let request = Request(packages: toBuild.map { entry in
            let enabled = entry.flagVariables.flatMap { variable, flags in
                flags.filter(\.value).keys.map { variable == "USE" ? $0 : "\(variable.lowercased())_\($0)" }
            }
            return .init(cpv: entry.cpv.description, repo: entry.repository, use: enabled.sorted())
        })
        let file = (workspace.tree.tmpdir as NSString).appendingPathComponent("plan-\(getpid()).json")
        try FileManager.default.createDirectory(atPath: workspace.tree.tmpdir, withIntermediateDirectories: true)
        try JSONEncoder().encode(request).write(to: URL(fileURLWithPath: file))
        defer { try? FileManager.default.removeItem(atPath: file) }
        var command = try workspace.tree.edgesCommand()
        command.arguments.append(file)
        let (result, output) = try await transport.capture(command, limit: 16 << 20)
        guard result.termination.succeeded,
              let response = try? JSONDecoder().decode(Response.self, from: Data(output.utf8)) else {
            throw FarmError(problem: "class \(workspace.nodeClass): Portage's dependency graph could not be read (\(result.termination)): \(result.tail.suffix(5).joined(separator: " | "))",
                            fix: "run `\(command)` to see the full error")
        }
        var dependencies: [CPV: [CPV]] = [:]
        var distfiles: [CPV: [String]] = [:]
        for entry in toBuild {
            dependencies[entry.cpv] = (response.edges[entry.cpv.description] ?? []).compactMap(CPV.init)
            distfiles[entry.cpv] = response.distfiles[entry.cpv.description] ?? []
        }
        return (dependencies, distfiles)
    }

    /// Turns a failed `emerge --pretend` into one clear error, naming the atom and its line where emerge names one.
    func planFailure(_ workspace: ClassWorkspace, command: Command, result: CommandResult, output: String) -> FarmError {
        let text = (result.tail + output.split(separator: "\n").map(String.init)).joined(separator: "\n")
        if result.termination == .exited(127) || text.contains("No such file or directory") && text.contains("emerge") {
            return FarmError(problem: "emerge could not be run as `\(workspace.tree.emerge)`",
                             fix: "install Portage (`make bootstrap`) or set `emerge` for the worker in workers.conf")
        }
        if let range = text.range(of: "there are no ebuilds to satisfy \""),
           let end = text[range.upperBound...].firstIndex(of: "\"") {
            let atom = String(text[range.upperBound..<end])
            let place = workspace.profile.packageSet.first { $0.value.description == atom || $0.value.cp == atom }.map { "\($0.location): " } ?? ""
            return FarmError(problem: "\(place)class \(workspace.nodeClass): no ebuild in the repositories satisfies \(atom)",
                             fix: "correct or remove the atom in \(workspace.profile.directory.appendingPathComponent("packages").path), or add an ebuild for it")
        }
        let interesting = text.split(separator: "\n").filter { $0.hasPrefix("!!!") || $0.hasPrefix("emerge:") || $0.contains("masked") }
        let detail = (interesting.isEmpty ? Array(text.split(separator: "\n").suffix(8)) : Array(interesting.prefix(8)))
            .joined(separator: "\n    ")
        return FarmError(problem: "class \(workspace.nodeClass): emerge could not plan the package set (\(result.termination)):\n    \(detail)",
                         fix: "run `\(command)` with the same environment to see Portage's full explanation")
    }
}
