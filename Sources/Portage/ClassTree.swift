import Foundation
import FarmModel
import Workers

/// Where Portage reads and writes for one node class on one worker, and how emerge is invoked there.
public struct ClassTree: Sendable {
    /// The class.
    public var nodeClass: ClassName
    /// Portage ARCH of the class (`x86`, `amd64`).
    public var arch: String
    /// The emerge program (path or name).
    public var emerge: String
    /// `PORTAGE_CONFIGROOT`: holds `etc/portage/make.conf`, `make.profile`, `package.*`.
    public var configRoot: String
    /// The repositories, main first.
    public var repositories: [Repository]
    /// PKGDIR of the class.
    public var pkgdir: String
    /// The shared DISTDIR.
    public var distdir: String
    /// Staging root where the class's packages are built and kept installed, so dependencies install once.
    public var stagingRoot: String
    /// Parent of per-build `PORTAGE_TMPDIR`s.
    public var tmpdir: String
    /// Where emerge writes per-package build logs (`PORTAGE_LOGDIR`).
    public var logdir: String
    /// True when the class's 32-bit code is built on a 64-bit host (`linux32`, `gcc -m32`).
    public var needs32BitPersonality: Bool
    /// PKGDIR for Portage's host side: build-only dependencies (BDEPEND) that run on the build host.
    public var hostPkgdir: String
    /// `xpak` or `gpkg`: what this class's builds write (the class make.conf's BINPKG_FORMAT, default xpak).
    public var binpkgFormat = "xpak"
    /// PATH on the worker before emerge's own directory; nil: the coordinator's PATH (the local worker).
    public var searchPath: String?
    /// The class's work directory on this worker: staging (or build) root, TMPDIR parent, Portage logs.
    public private(set) var workDirectory: String
    /// True when the class builds inside its own build root (`[build] mode = "chroot"`), which is then its
    /// staging root: `<work>/buildroot` instead of `<work>/staging`.
    public var buildsInChroot = false {
        didSet { placeWork(under: workDirectory) }
    }
    /// The build root of a chroot-mode class.
    public var chroot: BuildChroot? { buildsInChroot ? BuildChroot(root: stagingRoot) : nil }
    /// The farm's signing key as Portage on this worker uses it; nil: the farm does not sign.
    public var signing: BinpkgSigning?
    /// FEATURES added after farmctl's own (e.g. `-pkgdir-index-trusted` where binpkgs are copied in beside the index).
    public var extraFeatures: [String] = []

    public init(nodeClass: ClassName, arch: String, emerge: String, configRoot: String, repositories: [Repository],
                pkgdir: String, distdir: String, workDirectory: String, needs32BitPersonality: Bool, hostPkgdir: String) {
        self.hostPkgdir = hostPkgdir
        self.nodeClass = nodeClass
        self.arch = arch
        self.emerge = emerge
        self.configRoot = configRoot
        self.repositories = repositories
        self.pkgdir = pkgdir
        self.distdir = distdir
        self.workDirectory = workDirectory
        (stagingRoot, tmpdir, logdir) = Self.work(under: workDirectory, chroot: false)
        self.needs32BitPersonality = needs32BitPersonality
    }

    /// The root Portage's host side installs into for `emerge`: a venv's prefix (it has its own `var/db/pkg`), else `/`.
    public static func hostRoot(emerge: String) -> String {
        let prefix = ((emerge as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
        return FileManager.default.fileExists(atPath: (prefix as NSString).appendingPathComponent("pyvenv.cfg")) ? prefix : "/"
    }

    /// Moves the class's work directories (staging root, TMPDIR parent, Portage logs) under `top`, as on a worker.
    public mutating func placeWork(under top: String) {
        workDirectory = top
        (stagingRoot, tmpdir, logdir) = Self.work(under: top, chroot: buildsInChroot)
    }

    /// The one layout of a class's work directory, on the coordinator and on every worker.
    static func work(under top: String, chroot: Bool) -> (staging: String, tmp: String, logs: String) {
        let top = top as NSString
        return (top.appendingPathComponent(chroot ? "buildroot" : "staging"), top.appendingPathComponent("tmp"),
                top.appendingPathComponent("portage-logs"))
    }

    public var personality: Command.Personality { needs32BitPersonality ? .linux32 : .native }

    /// The environment every emerge of this class runs with (see docs/portage.md for why each is set).
    public func environment(root: String, tmpdir: String? = nil) -> [String: String?] {
        var environment: [String: String?] = [
            "EPREFIX": "",
            "PORTAGE_CONFIGROOT": configRoot,
            "PORTAGE_REPOSITORIES": Repository.reposConf(repositories),
            "ROOT": root,
            "SYSROOT": root,
            "PKGDIR": pkgdir,
            "DISTDIR": distdir,
            "PORTAGE_TMPDIR": tmpdir ?? self.tmpdir,
            "PORTAGE_LOGDIR": logdir,
            "PORTAGE_USERNAME": "root",
            "PORTAGE_GRPNAME": "root",
            "FEATURES": "-sandbox -usersandbox -userpriv -userfetch -usersync -ipc-sandbox -network-sandbox -pid-sandbox -qa-unresolved-soname-deps binpkg-multi-instance buildpkg-live" + extraFeatures.map { " " + $0 }.joined(),
            "BINPKG_FORMAT": binpkgFormat,
            "EMERGE_DEFAULT_OPTS": "",
            "NOCOLOR": "true",
            "PORTAGE_ELOG_SYSTEM": "save",
            "EMERGE_WARNING_DELAY": "0",
            "CLEAN_DELAY": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
        ]
        let emergeDirectory = (emerge as NSString).deletingLastPathComponent
        if !emergeDirectory.isEmpty {
            // A venv's bin holds `gtar` (Portage calls it) and must come first on PATH.
            let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            environment["PATH"] = "\(emergeDirectory):\(path)"
        }
        if let signing {
            environment.merge(signing.environment(signs: binpkgFormat == "gpkg")) { _, new in new }
            if binpkgFormat == "gpkg", let features = environment["FEATURES"] ?? nil { environment["FEATURES"] = features + " binpkg-signing" }
        }
        if needs32BitPersonality {
            environment["CC"] = "gcc -m32"
            environment["CXX"] = "g++ -m32"
        }
        return environment
    }

    /// An emerge of this class in `root`: inside the build root when `root` is it (chroot mode), else on the worker.
    func emergeCommand(_ arguments: [String], root: String, tmpdir: String? = nil) -> Command {
        guard let chroot, root == chroot.root else {
            return Command(emerge, arguments, environment: environment(root: root, tmpdir: tmpdir), personality: personality)
        }
        return chroot.command(BuildChroot.emerge, arguments, environment: chrootEnvironment(tmpdir: tmpdir), binds: binds,
                              personality: personality)
    }

    /// The environment inside the build root: ROOT is the root itself, its own Portage and compiler, no venv of the worker.
    func chrootEnvironment(tmpdir: String?) -> [String: String?] {
        var environment = environment(root: "/", tmpdir: tmpdir)
        environment["PORTAGE_OVERRIDE_EPREFIX"] = "/"   // a venv install of Portage would take the venv as EPREFIX
        environment["PATH"] = BuildChroot.searchPath
        for key in ["CC", "CXX", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"] { environment[key] = .some(nil) }
        return environment
    }

    /// What a build in the root sees of the worker, at the same paths: repositories, DISTDIR and the config root
    /// read-only; PKGDIR, TMPDIR and the logs read-write; the Portage helpers read-only.
    var binds: [BuildChroot.Bind] {
        var binds = repositories.map { BuildChroot.Bind($0.location, writable: false) }
        binds += [.init(distdir, writable: false), .init(configRoot, writable: false), .init(pkgdir, writable: true),
                  .init(tmpdir, writable: true), .init(logdir, writable: true)]
        if let helpers = Bundle.module.resourcePath { binds.append(.init(helpers, writable: false)) }
        if let signing {
            // gpg in the root signs with the farm's home (its agent's socket and the lock are written there)
            // and checks signed dependencies against the trust home.
            binds += [.init(signing.gpgHome, writable: true), .init(signing.verifyHome, writable: false)]
        }
        return binds
    }

    /// `emerge --pretend` of `atoms` against the staging root: what must be built.
    /// `reinstall` names packages (category/name: emerge takes no versions there) to treat as not installed.
    public func planCommand(atoms: [String], emptyTree: Bool, reinstall: [String] = []) -> Command {
        var arguments = ["--pretend", "--verbose", "--color=n", "--nospinner", "--update", "--deep",
                         "--changed-use", "--with-bdeps=y", "--usepkg=n"]
        if emptyTree { arguments.append("--emptytree") }
        if !reinstall.isEmpty { arguments.append("--reinstall-atoms=" + reinstall.joined(separator: " ")) }
        return emergeCommand(arguments + atoms, root: stagingRoot)
    }

    /// `emerge --buildpkg` of exactly one package version into the staging root (its dependencies are already there).
    public func buildCommand(cpv: CPV, tmpdir: String) -> Command {
        emergeCommand(["--buildpkg", "--oneshot", "--nodeps", "--usepkg=n", "--color=n", "--nospinner", "=\(cpv)"],
                      root: stagingRoot, tmpdir: tmpdir)
    }

    /// `emerge --buildpkg` of one build-only dependency on Portage's host side (the build host's own root).
    ///
    /// Portage installs BDEPEND into the root it runs from (with a pip install: the venv), whatever ROOT says,
    /// so these builds run without EPREFIX/ROOT/SYSROOT/PORTAGE_CONFIGROOT and keep their own PKGDIR.
    public func hostBuildCommand(cpv: CPV, tmpdir: String) -> Command {
        Command(emerge, ["--buildpkg", "--oneshot", "--nodeps", "--usepkg=n", "--color=n", "--nospinner", "=\(cpv)"],
                environment: hostEnvironment(tmpdir: tmpdir), personality: personality)
    }

    /// `emerge --usepkgonly --oneshot --nodeps` of exact build-only tools into Portage's host side.
    public func hostInstallCommand(cpvs: [CPV]) -> Command {
        Command(emerge, ["--usepkgonly", "--oneshot", "--nodeps", "--color=n", "--nospinner", "--quiet=y"] + cpvs.map { "=\($0)" },
                environment: hostEnvironment(tmpdir: nil), personality: personality)
    }

    private func hostEnvironment(tmpdir: String?) -> [String: String?] {
        var environment = environment(root: "/", tmpdir: tmpdir)
        for key in ["EPREFIX", "ROOT", "SYSROOT", "PORTAGE_CONFIGROOT"] { environment[key] = .some(nil) }
        environment["PKGDIR"] = hostPkgdir
        return environment
    }

    /// `emerge --pretend --usepkgonly` of `atoms` into a new root (empty, or holding only a seed stage's package
    /// database): which binpkg instances a new root would get, leaving out what the stage already has.
    public func resolveBinpkgsCommand(atoms: [String], emptyRoot: String) -> Command {
        Command(emerge, ["--pretend", "--verbose", "--color=n", "--nospinner", "--usepkgonly", "--update", "--deep",
                         "--changed-use", "--with-bdeps=n"] + atoms,
                environment: environment(root: emptyRoot), personality: personality)
    }

    /// `emerge --usepkgonly` of `atoms` into a new root generation (empty, or a copy of the seed stage).
    public func assembleCommand(atoms: [String], root: String) -> Command {
        Command(emerge, ["--usepkgonly", "--update", "--deep", "--changed-use", "--color=n", "--nospinner", "--with-bdeps=n",
                         "--quiet=y"] + atoms,
                environment: environment(root: root), personality: personality)
    }

    /// `emerge --usepkgonly --oneshot --nodeps` of exact versions into the staging root (adopted binpkgs).
    public func installIntoStagingCommand(cpvs: [CPV]) -> Command {
        installBinpkgsCommand(cpvs: cpvs, root: stagingRoot)
    }

    /// `emerge --usepkgonly --oneshot --nodeps` of exact versions into `root` (a same-slot older version is replaced).
    public func installBinpkgsCommand(cpvs: [CPV], root: String) -> Command {
        emergeCommand(["--usepkgonly", "--oneshot", "--nodeps", "--color=n", "--nospinner", "--quiet=y"] + cpvs.map { "=\($0)" },
                      root: root)
    }

    /// `emerge --unmerge` of exact versions from `root`.
    public func unmergeCommand(cpvs: [CPV], root: String) -> Command {
        emergeCommand(["--unmerge", "--color=n", "--nospinner", "--quiet=y"] + cpvs.map { "=\($0)" }, root: root)
    }

    /// `portageq ARGUMENTS` (beside emerge) with the class's configuration and `root` as ROOT.
    public func portageqCommand(_ arguments: [String], root: String) -> Command {
        let directory = (emerge as NSString).deletingLastPathComponent
        let portageq = directory.isEmpty ? "portageq" : (directory as NSString).appendingPathComponent("portageq")
        return Command(portageq, arguments, environment: environment(root: root))
    }

    /// Portage's `env-update` for `root` (profile.env, ld.so.conf and the linker cache from /etc/env.d), as emerge
    /// runs it after merging.
    public func envUpdateCommand(root: String) -> Command {
        Command(python, ["-c", "import portage.util.env_update as e; e.env_update()"],
                environment: environment(root: root), personality: personality)
    }

    /// The python interpreter beside emerge (a venv's), for the dependency-edge helper.
    public var python: String {
        let directory = (emerge as NSString).deletingLastPathComponent
        let candidate = (directory as NSString).appendingPathComponent("python3")
        return !directory.isEmpty && FileManager.default.isExecutableFile(atPath: candidate) ? candidate : "python3"
    }

    /// Runs the dependency-edge helper on planned packages; returns each cpv's planned dependencies.
    public func edgesCommand() throws -> Command {
        guard let script = Bundle.module.path(forResource: "depedges", ofType: "py", inDirectory: "Helpers") else {
            throw InternalError("depedges.py is missing from the Portage module's resources")
        }
        guard let chroot else {
            return Command(python, [script], environment: environment(root: stagingRoot), personality: personality)
        }
        return chroot.command(BuildChroot.python, [script], environment: chrootEnvironment(tmpdir: nil), binds: binds,
                              personality: personality)
    }
}
