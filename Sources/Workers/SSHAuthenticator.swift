import CLibSSH2
import Foundation

/// Public-key login: the target's identity file, else the keys of an ssh-agent.
struct SSHAuthenticator {
    let target: SSHTarget
    /// Waits for the socket (or throws at the connect deadline) when libssh2 would block.
    let wait: () throws(SSHError) -> Void

    func authenticate(_ session: OpaquePointer) throws(SSHError) {
        if let identity = target.identity {
            try withIdentity(identity, session)
        } else if let socket = target.agentSocket ?? ProcessInfo.processInfo.environment["SSH_AUTH_SOCK"] {
            try withAgent(socket, session)
        } else {
            throw failed("no identity file is configured and no ssh-agent is running (SSH_AUTH_SOCK is not set)",
                         fix: "set `identity` for this worker in workers.conf to an ed25519 private key")
        }
    }

    private func withIdentity(_ path: String, _ session: OpaquePointer) throws(SSHError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw failed("the identity file \(path) does not exist",
                         fix: "create a key with `ssh-keygen -t ed25519 -N '' -f \(path)` and append \(path).pub to "
                            + "~\(target.user)/.ssh/authorized_keys on the worker")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw failed("the identity file \(path) is not readable", fix: "make \(path) readable by the user running farmctl")
        }
        let publicKey = FileManager.default.fileExists(atPath: path + ".pub") ? path + ".pub" : nil
        while true {
            let code = farm_ssh2_userauth_publickey_fromfile(session, target.user, publicKey, path)
            if code == 0 { return }
            if code == LIBSSH2_ERROR_EAGAIN {
                try wait()
                continue
            }
            throw identityError(code, path, session)
        }
    }

    private func identityError(_ code: Int32, _ path: String, _ session: OpaquePointer) -> SSHError {
        let rsa = Self.isRSA(path)
        let rsaNote = rsa ? "; it is an RSA key, and libssh2 1.10 signs only with SHA-1 `ssh-rsa`, which OpenSSH 8.8+ refuses" : ""
        switch code {
        case LIBSSH2_ERROR_FILE:
            return failed("cannot use the identity file \(path): \(SSHConnector.message(session)) (encrypted, or not a key "
                          + "libssh2 reads)\(rsaNote)",
                          fix: "use an unencrypted ed25519 key in OpenSSH format (`ssh-keygen -t ed25519 -N '' -f KEY`)")
        case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
            return failed("the worker refused the key \(path) for user \(target.user)\(rsaNote)",
                          fix: rsa ? "use an ed25519 key (RSA needs SHA-2 signatures that libssh2 1.10 lacks) and add its "
                                     + ".pub to ~\(target.user)/.ssh/authorized_keys on the worker"
                                   : "append \(path).pub to ~\(target.user)/.ssh/authorized_keys on the worker "
                                     + "(and check the user in workers.conf)")
        default:
            return .connectFailed(endpoint: target.endpoint, reason: "authentication broke off: \(SSHConnector.message(session))")
        }
    }

    private func withAgent(_ socket: String, _ session: OpaquePointer) throws(SSHError) {
        guard let agent = libssh2_agent_init(session) else {
            throw failed("libssh2 could not use the ssh-agent", fix: "set `identity` for this worker in workers.conf")
        }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, socket)
        guard libssh2_agent_connect(agent) == 0, libssh2_agent_list_identities(agent) == 0 else {
            throw failed("cannot reach the ssh-agent at \(socket)",
                         fix: "start the agent and `ssh-add` an ed25519 key, or set `identity` for this worker in workers.conf")
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var tried = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            guard libssh2_agent_get_identity(agent, &identity, previous) == 0, let identity else { break }
            previous = identity
            tried += 1
            while true {
                let code = libssh2_agent_userauth(agent, target.user, identity)
                if code == 0 { return }
                guard code == LIBSSH2_ERROR_EAGAIN else { break }
                try wait()
            }
        }
        throw failed("the worker refused all \(tried) key(s) of the ssh-agent at \(socket) for user \(target.user)",
                     fix: "add one of the agent's public keys (`ssh-add -L`; ed25519, since libssh2 1.10 cannot sign "
                        + "RSA with SHA-2) to ~\(target.user)/.ssh/authorized_keys on the worker")
    }

    private func failed(_ reason: String, fix: String) -> SSHError {
        .authenticationFailed(endpoint: target.endpoint, reason: reason, fix: fix)
    }

    /// True when the key (or its .pub) is RSA.
    static func isRSA(_ path: String) -> Bool {
        if let publicKey = try? String(contentsOfFile: path + ".pub", encoding: .utf8) { return publicKey.hasPrefix("ssh-rsa") }
        return (try? String(contentsOfFile: path, encoding: .utf8))?.contains("BEGIN RSA PRIVATE KEY") ?? false
    }
}
