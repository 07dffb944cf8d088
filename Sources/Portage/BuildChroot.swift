import FarmModel
import Foundation
import Workers

/// A class built inside its own build root (`[build] mode = "chroot"`): Portage installed in the root itself, run as
/// `linux32 chroot ROOT emerge …` inside a private mount and PID namespace (`unshare --mount --propagation private
/// --pid --fork --kill-child`), so every mount and process of a build dies with it, even on SIGKILL.
///
/// The farm's paths (repositories, DISTDIR, PKGDIR, config root, TMPDIR, logs) are bind-mounted at the same paths
/// inside, so every path in the class's environment means the same file in and out of the root.
public struct BuildChroot: Sendable, Hashable {
    /// The build root as the worker sees it; it is also the class's staging root (ROOT=/ inside).
    public var root: String

    /// Where the build root's Portage lives (a venv made from the Portage wheel).
    public static let portagePrefix = "/opt/portage"
    /// `emerge` inside the build root.
    public static var emerge: String { portagePrefix + "/bin/emerge" }
    /// The venv's python inside the build root.
    public static var python: String { portagePrefix + "/bin/python3" }
    /// PATH inside the build root.
    public static var searchPath: String { portagePrefix + "/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" }

    public init(root: String) { self.root = root }

    /// A directory of the worker shown at the same path inside the root.
    public struct Bind: Sendable, Hashable {
        public var path: String
        public var writable: Bool
        public init(_ path: String, writable: Bool) {
            self.path = path
            self.writable = writable
        }
    }

    /// The script run inside the new namespace: proc and a private devpts, the binds (created on both sides when
    /// missing; read-only ones remounted so), then `chroot`. Arguments: ROOT, then `ro|rw PATH` pairs, `--`, command.
    static let enterScript = """
        set -e
        root=$1; shift
        mount -t proc proc "$root/proc"
        mkdir -p "$root/dev/pts"
        mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
        while [ "$1" != "--" ]; do
            mkdir -p "$2" "$root$2"
            mount --bind "$2" "$root$2"
            if [ "$1" = ro ]; then mount -o remount,bind,ro "$root$2"; fi
            shift 2
        done
        shift
        exec chroot "$root" "$@"
        """

    /// Runs its arguments (the `unshare` of a build) and kills it if the process that started this one dies: a
    /// coordinator killed with SIGKILL leaves no build behind. `unshare --kill-child` then takes the whole PID
    /// namespace, and its mounts, with it.
    static let guardScript = """
        "$@" &
        child=$!
        ( while kill -0 "$PPID" 2>/dev/null; do sleep 1; done; kill -KILL "$child" 2>/dev/null ) &
        watcher=$!
        trap 'kill -KILL "$child" 2>/dev/null' TERM INT HUP
        wait "$child"; status=$?
        kill "$watcher" 2>/dev/null
        exit "$status"
        """

    /// `executable` with `arguments` (as seen inside the root) run in the root with `binds`, under `personality`.
    public func command(_ executable: String, _ arguments: [String], environment: [String: String?], binds: [Bind],
                        personality: Command.Personality) -> Command {
        var words = ["/bin/sh", "-c", Self.guardScript, "farmctl-guard",
                     "unshare", "--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
                     "/bin/sh", "-c", Self.enterScript, "farmctl-chroot", root]
        for bind in binds.sorted(by: { $0.path < $1.path }) { words += [bind.writable ? "rw" : "ro", bind.path] }
        words += ["--", executable] + arguments
        return Command(words[0], Array(words.dropFirst()), environment: environment, personality: personality)
    }
}

extension BuildChroot {
    /// The helper that makes a build root (Helpers/buildroot.sh).
    public static func recipeScript() throws -> String {
        guard let script = Bundle.module.path(forResource: "buildroot", ofType: "sh", inDirectory: "Helpers") else {
            throw InternalError("buildroot.sh is missing from the Portage module's resources")
        }
        return script
    }

    /// Makes the build root at `root` (a fresh copy of the seed stage): `setup`, then Portage from `wheel`, all inside
    /// a private mount and PID namespace under `personality`.
    /// `script` is the recipe as the worker sees it (default: this module's own copy, for the coordinator).
    public static func recipeCommand(root: String, wheel: String, setup: String?, personality: Command.Personality,
                                     script: String? = nil) throws -> Command {
        Command("unshare", ["--mount", "--propagation", "private", "--pid", "--fork", "--kill-child",
                            "/bin/sh", try script ?? recipeScript(), root, wheel, setup ?? ""], personality: personality)
    }
}
