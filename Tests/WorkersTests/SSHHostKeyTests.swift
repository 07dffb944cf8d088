import Foundation
import Testing
import TestSupport
import Workers

@Suite struct SSHHostKeyTests {
    /// A known_hosts file with `text` in the host's directory.
    private func knownHosts(_ host: SSHTestHost, _ name: String, _ text: String) throws -> String {
        let path = host.directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// True when `path` exists on the worker (asked over a correctly configured transport).
    private func exists(_ path: String, on host: SSHTestHost) async throws -> Bool {
        let transport = SSHTransport(target: SSHTarget(host))
        defer { transport.close() }
        return try await transport.run(Command("test", ["-e", path])).termination.succeeded
    }

    @Test func unknownHostKeyIsRefusedWithItsFingerprint() async throws {
        // Given a host whose key is not in an (empty) known_hosts
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let empty = try knownHosts(host, "empty_known_hosts", "")
        let transport = SSHTransport(target: SSHTarget(host, knownHosts: empty))
        let marker = "/tmp/farmctl-must-not-exist-\(UUID().uuidString)"
        // When a command is sent
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("touch", [marker])) }
        // Then it is refused naming the endpoint, the ed25519 fingerprint and the fix, and nothing ran
        let fingerprint = try await SSHTestHost.fingerprint(of: host.hostKey("ed25519"))
        guard case .hostKeyUnknown = error else { Issue.record("not hostKeyUnknown: \(String(describing: error))"); return }
        let text = "\(error!)"
        #expect(text.contains("root@\(host.address):\(host.port)"))
        #expect(text.contains("ED25519 key \(fingerprint)"))
        #expect(text.contains("ssh-keyscan -p \(host.port) -t ed25519 \(host.address) >> \(empty)"))
        #expect(text.contains("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"))
        #expect(error?.isWorkerLost == false)
        #expect(try await !exists(marker, on: host))
    }

    @Test func changedHostKeyIsRefusedWithBothFingerprints() async throws {
        // Given known_hosts holding another ed25519 key for the host's [address]:port
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let other = host.directory + "/other_host_key"
        try await SSHTestHost.generateKey(type: "ed25519", at: other)
        let otherKey = try String(contentsOfFile: other + ".pub", encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let path = try knownHosts(host, "changed_known_hosts", "[\(host.address)]:\(host.port) \(otherKey)\n")
        let transport = SSHTransport(target: SSHTarget(host, knownHosts: path))
        // When a command is sent
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        // Then it is refused as a changed key with the old and the new fingerprint and the ssh-keygen -R fix
        guard case .hostKeyChanged = error else { Issue.record("not hostKeyChanged: \(String(describing: error))"); return }
        let text = "\(error!)"
        let oldPrint = try await SSHTestHost.fingerprint(of: other + ".pub")
        let newPrint = try await SSHTestHost.fingerprint(of: host.hostKey("ed25519"))
        #expect(text.contains(oldPrint))
        #expect(text.contains(newPrint))
        #expect(text.contains("ssh-keygen -R '[\(host.address)]:\(host.port)' -f \(path)"))
    }

    @Test func hashedEntryIsAccepted() async throws {
        // Given known_hosts hashed with ssh-keygen -H
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let hashed = try knownHosts(host, "hashed_known_hosts", try String(contentsOfFile: host.knownHosts, encoding: .utf8))
        let (status, _) = try ExampleFarm.run("/usr/bin/ssh-keygen", ["-H", "-f", hashed])
        #expect(status == 0)
        #expect(try String(contentsOfFile: hashed, encoding: .utf8).hasPrefix("|1|"))
        let transport = SSHTransport(target: SSHTarget(host, knownHosts: hashed))
        defer { transport.close() }
        // When a command runs
        let (result, output) = try await transport.capture(Command("echo", ["ok"]), limit: 10)
        // Then the host was accepted
        #expect(result.termination.succeeded && output == "ok\n")
    }

    @Test func ecdsaOnlyEntryIsAccepted() async throws {
        // Given known_hosts with only the host's ECDSA key (libssh2 must be told to negotiate that type)
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let key = try String(contentsOfFile: host.hostKey("ecdsa"), encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let path = try knownHosts(host, "ecdsa_known_hosts", "[\(host.address)]:\(host.port) \(key)\n")
        let transport = SSHTransport(target: SSHTarget(host, knownHosts: path))
        defer { transport.close() }
        // When a command runs
        // Then it succeeds
        #expect(try await transport.run(Command("true")).termination.succeeded)
    }

    @Test func plainHostEntryDoesNotCoverAnotherPort() async throws {
        // Given known_hosts with the right key but under the bare address (that is port 22 for OpenSSH)
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let key = try String(contentsOfFile: host.hostKey("ed25519"), encoding: .utf8).split(separator: " ").prefix(2).joined(separator: " ")
        let path = try knownHosts(host, "bare_known_hosts", "\(host.address) \(key)\n")
        let transport = SSHTransport(target: SSHTarget(host, knownHosts: path))
        // When a command is sent to the non-22 port
        // Then the key counts as unknown, as with OpenSSH
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        guard case .hostKeyUnknown = error else { Issue.record("not hostKeyUnknown: \(String(describing: error))"); return }
    }
}
