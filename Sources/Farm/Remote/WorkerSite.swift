import FarmConfig
import FarmModel
import Foundation
import Portage
import Workers

/// One worker as a build run uses it: its spec, its transport and where each class lives on it.
///
/// The coordinator's own worker (host = localhost) builds in the class workspaces themselves: their staging
/// roots are the ones every plan is made against. Any other worker keeps a copy of what it needs under its
/// `workdir`: `repos/<NAME>`, `distfiles/`, `<CLASS>/{config,packages,staging,tmp,portage-logs}`, `_host/packages`.
struct WorkerSite: Sendable {
    let spec: WorkerSpec
    let transport: any WorkerTransport
    /// The chroot this view of the worker runs commands in (`[worker.NAME.chroot]`), nil for the host itself.
    var chroot: String? = nil

    var name: String { spec.name }
    /// Identifies what this view sees: the worker, or one of its chroots.
    var key: String { chroot.map { "\(spec.name)@\($0)" } ?? spec.name }

    /// The view of the worker that builds `arch`: inside its chroot for that arch, if it has one.
    func forArch(_ arch: Arch) -> WorkerSite {
        guard let directory = spec.chroot[arch], let ssh = transport as? SSHTransport else { return self }
        return WorkerSite(spec: spec, transport: ssh.chrooted(directory), chroot: directory)
    }

    /// Copies a coordinator file to `path` as commands on this view see it (inside the chroot).
    func upload(_ local: String, to path: String) async throws {
        try await transport.upload(local, to: (chroot ?? "") + path)
    }

    /// Copies `path` (as commands on this view see it) to the coordinator.
    func download(_ path: String, to local: String) async throws {
        try await transport.download((chroot ?? "") + path, to: local)
    }
    /// True for the coordinator itself: no copies, no transfers.
    var isCoordinator: Bool { spec.isLocal }
    /// PATH for commands on a remote worker (its login environment is not trusted to have one).
    static let remoteSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    private var workdir: String { spec.workdir.path }
    /// The shared DISTDIR's copy on this worker.
    var distdir: String { (workdir as NSString).appendingPathComponent("distfiles") }
    /// Where repository `name` is copied on this worker.
    func repository(_ name: String) -> String { (workdir as NSString).appendingPathComponent("repos/\(name)") }
    /// The copy of the farm's signing GnuPG home on this worker (sent by `WorkerSync`, mode 0700).
    var signingHome: String { (workdir as NSString).appendingPathComponent("signing/gnupg") }
    /// The copy of the farm's trust home on this worker.
    var verifyHome: String { (workdir as NSString).appendingPathComponent("signing/verify") }
    /// The top directory of a class on this worker.
    func classDirectory(_ nodeClass: ClassName) -> String { (workdir as NSString).appendingPathComponent(nodeClass.rawValue) }

    /// The class's Portage tree as emerge sees it on this worker.
    func tree(for workspace: ClassWorkspace) -> ClassTree {
        guard !isCoordinator else { return workspace.tree }
        var tree = workspace.tree
        let top = classDirectory(workspace.nodeClass) as NSString
        tree.emerge = Self.remoteEmerge(spec)
        tree.configRoot = top.appendingPathComponent("config")
        tree.repositories = tree.repositories.map { Repository(name: $0.name, location: repository($0.name)) }
        tree.pkgdir = top.appendingPathComponent("packages")
        tree.distdir = distdir
        tree.placeWork(under: top as String)
        tree.hostPkgdir = (workdir as NSString).appendingPathComponent("\(ClassWorkspace.host.rawValue)/packages")
        tree.needs32BitPersonality = workspace.profile.arch == .x86 && spec.arches.contains(.amd64)
        tree.searchPath = Self.remoteSearchPath
        if let signing = tree.signing {
            tree.signing = BinpkgSigning(gpgHome: signingHome, fingerprint: signing.fingerprint, verifyHome: verifyHome)
        }
        // Dependency binpkgs are copied into the worker's PKGDIR beside Portage's own index: Portage 3.0's
        // default (pkgdir-index-trusted) would never look at the directory and not see them.
        tree.extraFeatures = ["-pkgdir-index-trusted"]
        return tree
    }

    /// The emerge a remote worker runs: its `emerge` key, else `emerge` on its PATH (never the coordinator's venv).
    static func remoteEmerge(_ spec: WorkerSpec) -> String {
        if case .configured(let command) = spec.emerge { return command }
        return "emerge"
    }
}

extension WorkerSite {
    /// A transport for each worker, remote ones checked by running `true` there (connect, host key,
    /// authentication). A worker that fails is left out of the run with one warning saying why and how to fix it.
    static func open(_ specs: [WorkerSpec], events: @Sendable (FarmEvent) -> Void) async -> [String: WorkerSite] {
        var sites: [String: WorkerSite] = [:]
        for spec in specs {
            do {
                let site = WorkerSite(spec: spec, transport: try transport(for: spec))
                if !site.isCoordinator { _ = try await site.transport.shell("true") }
                sites[spec.name] = site
            } catch {
                events(.warning("worker \(spec.name) (\(spec.location)) is left out of this run: \(error)"))
            }
        }
        return sites
    }

    /// The coordinator itself, or an SSH connection (opened on first use).
    static func transport(for spec: WorkerSpec) throws -> any WorkerTransport {
        guard !spec.isLocal else { return LocalTransport() }
        return try SSHWorkers.transport(for: spec)
    }
}
