import FarmConfig
import Foundation
import Workers

/// SSH workers: `workers.conf` settings turned into transport targets.
enum SSHWorkers {
    /// The SSH transport of a remote worker (the session opens on first use).
    static func transport(for spec: WorkerSpec) throws -> SSHTransport {
        try spec.checkKeyFiles()
        return SSHTransport(target: target(for: spec))
    }

    /// Where and how to reach the worker; defaults as ssh has them: port 22, your user name, ~/.ssh/known_hosts,
    /// and ssh-agent when no identity is set.
    static func target(for spec: WorkerSpec) -> SSHTarget {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        return SSHTarget(host: spec.host, port: spec.port ?? 22, user: spec.user ?? NSUserName(), identity: spec.identity?.path,
                         knownHosts: spec.knownHosts?.path ?? (home as NSString).appendingPathComponent(".ssh/known_hosts"))
    }
}
