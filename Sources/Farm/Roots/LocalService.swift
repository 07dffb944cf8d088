import Foundation

/// OpenRC's `local` service, which Gentoo's OpenRC has and Debian's lacks: runs `/etc/local.d/*.start` when the
/// runlevel starts and `*.stop` when it stops (where the diskless recipe powers the node off).
enum LocalService {
    /// The script farmctl installs as `/etc/init.d/local` when the root has none.
    static let script = """
        #!/sbin/openrc-run
        # Installed by farmctl: the root's OpenRC has no `local` service (Gentoo's has; Debian's openrc does not).
        # Runs the executable /etc/local.d/*.start on start and *.stop on stop, in name order, as Gentoo's does.

        description="Executes the programs in /etc/local.d"

        depend() {
        \tafter *
        \tkeyword -timeout
        }

        run_dir() {
        \tfor file in /etc/local.d/*."$1"; do
        \t\t[ -x "$file" ] || continue
        \t\tvebegin "Running $file"
        \t\t"$file"
        \t\tveend $? "$file failed"
        \tdone
        }

        start() {
        \tebegin "Starting local"
        \trun_dir start
        \teend 0
        }

        stop() {
        \tebegin "Stopping local"
        \trun_dir stop
        \teend 0
        }

        """

    /// Writes `/etc/init.d/local` (mode 0755) into `root` when `services` lists `local` and the root has no script.
    static func install(in root: String, services: [String]) throws {
        let path = root + "/etc/init.d/local"
        var info = stat()
        guard services.contains("local"), lstat(path, &info) != 0 else { return }
        try RootFinish.makeDirectory(root + "/etc/init.d")
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        guard chmod(path, 0o755) == 0 else {
            throw FarmError(problem: "cannot make \(path) executable: \(String(cString: strerror(errno)))", fix: "check the root's file system")
        }
    }
}
