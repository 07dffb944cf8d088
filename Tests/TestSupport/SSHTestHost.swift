import Foundation

/// A throwaway OpenSSH server on its own loopback address (127.0.0.0/8 only), for transport tests.
///
/// It has its own ed25519 and ECDSA host keys, a user ed25519 key in `authorized_keys` for root, a known_hosts
/// holding its ed25519 key as `[address]:port`, and runs `sshd -D` in a private mount namespace with an empty file
/// over `/root/.bashrc` (root's real one starts pyenv: 150-350 ms per command). Stop it with `stop()`; `kill()`
/// SIGKILLs sshd and all its descendants to simulate the host dying; `freeze()` SIGSTOPs them (a silent host).
public final class SSHTestHost: @unchecked Sendable {
    /// The sshd (listener) process id.
    public let pid: Int32
    public let address: String
    public let port: Int
    /// The user's private key (ed25519, OpenSSH format, no passphrase).
    public let identity: String
    /// known_hosts with this host's ed25519 key under `[address]:port`.
    public let knownHosts: String
    /// The host's temp directory (keys, config, sshd's log `sshd.log`).
    public let directory: String
    public let user = "root"
    let process: SpawnedProcess

    /// The host's public key file of `type` (`ed25519` or `ecdsa`).
    public func hostKey(_ type: String) -> String { directory + "/ssh_host_\(type)_key.pub" }

    /// Starts a host on `address` (default: the next one after a random 127.0.0.x base) and waits until it accepts
    /// TCP. The blocking work (ssh-keygen, spawning, polling) runs on a thread of its own, off the cooperative pool.
    public static func start(address: String? = nil) async throws -> SSHTestHost {
        let address = address ?? nextAddress()
        return try await offPool { try SSHTestHost(address: address) }
    }

    private init(address: String) throws {
        let octets = address.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4, octets[0] == 127 else { throw HostError("test hosts live on 127.0.0.0/8 only, not \(address)") }
        Self.becomeSubreaper
        self.address = address
        let directory = try Fixtures.temporaryDirectory("sshd-\(address)").path
        self.directory = directory
        identity = directory + "/id_ed25519"
        knownHosts = directory + "/known_hosts"
        for (type, path) in [("ed25519", "ssh_host_ed25519_key"), ("ecdsa", "ssh_host_ecdsa_key"), ("ed25519", "id_ed25519")] {
            try Self.generateKeyNow(type: type, at: directory + "/" + path)
        }
        try FileManager.default.copyItem(atPath: identity + ".pub", toPath: directory + "/authorized_keys")
        port = try Self.freePort(on: address)
        let hostKey = try String(contentsOfFile: directory + "/ssh_host_ed25519_key.pub", encoding: .utf8)
        let keyFields = hostKey.split(separator: " ").prefix(2).joined(separator: " ")
        try "[\(address)]:\(port) \(keyFields)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let config = """
            ListenAddress \(address)
            Port \(port)
            HostKey \(directory)/ssh_host_ed25519_key
            HostKey \(directory)/ssh_host_ecdsa_key
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            AuthorizedKeysFile \(directory)/authorized_keys
            StrictModes no
            Subsystem sftp internal-sftp
            PidFile \(directory)/sshd.pid
            LogLevel ERROR
            PrintMotd no

            """
        try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: directory + "/empty", contents: nil)
        _ = FileManager.default.createFile(atPath: directory + "/sshd.log", contents: nil)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        // Not Foundation's Process: it takes sshd's closing of inherited descriptors for an exit and then blocks
        // its process-monitor thread in waitpid(sshd), which stalls every other Process in the test run.
        process = try SpawnedProcess(
            "/usr/bin/unshare",
            ["-m", "--propagation", "private", "sh", "-c",
             "{ [ ! -e /root/.bashrc ] || mount --bind '\(directory)/empty' /root/.bashrc; } && "
                + "exec /usr/sbin/sshd -D -e -f '\(directory)/sshd_config'"],
            output: directory + "/sshd.log")
        pid = process.pid
        try waitUntilListening()
    }

    /// `host`, `port`, `user`, `identity`, `knownHosts` for building an SSHTarget.
    public var targetDescription: (host: String, port: Int, user: String, identity: String, knownHosts: String) {
        (address, port, user, identity, knownHosts)
    }

    /// The OpenSSH fingerprint (`SHA256:…`) of a public key file.
    public static func fingerprint(of publicKey: String) async throws -> String {
        try await offPool { try fingerprintNow(of: publicKey) }
    }

    private static func fingerprintNow(of publicKey: String) throws -> String {
        let (status, output) = try ExampleFarm.run("/usr/bin/ssh-keygen", ["-lf", publicKey])
        let fields = output.split(separator: " ")
        guard status == 0, fields.count > 1 else { throw HostError("ssh-keygen -lf \(publicKey): \(output)") }
        return String(fields[1])
    }

    /// Writes a new key pair without a passphrase (`type`: ed25519, ecdsa, rsa), off the cooperative pool.
    public static func generateKey(type: String, at path: String) async throws {
        try await offPool { try generateKeyNow(type: type, at: path) }
    }

    static func generateKeyNow(type: String, at path: String) throws {
        let (status, output) = try ExampleFarm.run("/usr/bin/ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "farmctl-test", "-f", path])
        guard status == 0 else { throw HostError("ssh-keygen -t \(type): \(output)") }
    }

    /// SIGSTOPs sshd and its descendants: the host stays connected but never answers.
    public func freeze() {
        for _ in 0..<2 { for pid in tree() { signal(pid, SIGSTOP) } }
    }

    /// SIGKILLs sshd and every descendant at once (frozen first, so none can report anything): the host died.
    public func kill() {
        freeze()
        let all = tree()
        for pid in all { signal(pid, SIGKILL) }
        reap(all)
    }

    /// SIGKILLs every session process but keeps the listener: open connections drop, new ones are accepted.
    public func dropConnections() {
        let sessions = tree().filter { $0 != pid }
        for pid in sessions { signal(pid, SIGSTOP) }
        for pid in sessions { signal(pid, SIGKILL) }
        reap(sessions, listenerToo: false)
    }

    /// Stops the host (SIGTERM, then SIGKILL after 2 s, sessions included) and removes its directory.
    public func stop() {
        let all = tree()
        for pid in all {
            signal(pid, SIGTERM)
            signal(pid, SIGCONT)
        }
        process.waitForExit(seconds: 2)
        let left = tree()
        for pid in left { signal(pid, SIGKILL) }
        reap(Array(Set(all + left)))
        try? FileManager.default.removeItem(atPath: directory)
    }

    deinit {
        if process.isRunning { stop() }
    }

    private func signal(_ pid: Int32, _ signal: Int32) { _ = Glibc.kill(pid, signal) }
}
