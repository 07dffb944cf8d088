import Foundation
import Testing
import TestSupport
import Workers

@Suite struct SSHAuthTests {
    @Test func keyNotInAuthorizedKeysIsRefusedClearly() async throws {
        // Given a user key the host does not know
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let stranger = host.directory + "/stranger"
        try await SSHTestHost.generateKey(type: "ed25519", at: stranger)
        let transport = SSHTransport(target: SSHTarget(host, identity: stranger))
        // When a command is sent
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        // Then login fails naming the key and user, saying to add it to authorized_keys; the worker is not "lost"
        guard case .authenticationFailed = error else { Issue.record("not authenticationFailed: \(String(describing: error))"); return }
        let text = "\(error!)"
        #expect(text.contains("refused the key \(stranger) for user root"))
        #expect(text.contains("authorized_keys"))
        #expect(error?.isWorkerLost == false)
    }

    @Test func missingIdentityFileIsNamed() async throws {
        // Given an identity path with no file
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let missing = host.directory + "/no_such_key"
        let transport = SSHTransport(target: SSHTarget(host, identity: missing))
        // When a command is sent
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        // Then the error names the file and how to create a key
        #expect("\(error!)".contains("the identity file \(missing) does not exist"))
        #expect("\(error!)".contains("ssh-keygen -t ed25519"))
    }

    @Test func rsaKeyRefusalExplainsSHA2() async throws {
        // Given an RSA user key that is in authorized_keys
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let rsa = host.directory + "/id_rsa"
        try await SSHTestHost.generateKey(type: "rsa", at: rsa)
        let authorized = try String(contentsOfFile: host.directory + "/authorized_keys", encoding: .utf8)
        try (authorized + String(contentsOfFile: rsa + ".pub", encoding: .utf8))
            .write(toFile: host.directory + "/authorized_keys", atomically: true, encoding: .utf8)
        let transport = SSHTransport(target: SSHTarget(host, identity: rsa))
        // When a command is sent
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        // Then the refusal says RSA needs SHA-2 signatures libssh2 1.10 lacks, and to use ed25519
        let text = "\(error!)"
        #expect(text.contains("RSA"))
        #expect(text.contains("SHA-2"))
        #expect(text.contains("ed25519"))
    }

    @Test func agentKeyIsUsedWithoutIdentity() async throws {
        // Given an ssh-agent holding the host's authorized key, and a target with no identity file
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let socket = host.directory + "/agent.sock"
        let agent = try SpawnedProcess("/usr/bin/ssh-agent", ["-D", "-a", socket], output: host.directory + "/agent.log")
        defer { agent.stop() }
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { usleep(10_000) }
        let (added, output) = try ExampleFarm.run("/bin/sh", ["-c", "SSH_AUTH_SOCK='\(socket)' ssh-add '\(host.identity)'"])
        #expect(added == 0, "\(output)")
        let target = SSHTarget(host: host.address, port: host.port, identity: nil, knownHosts: host.knownHosts, agentSocket: socket)
        let transport = SSHTransport(target: target)
        defer { transport.close() }
        // When a command runs
        let (result, echoed) = try await transport.capture(Command("echo", ["agent"]), limit: 100)
        // Then the agent's key logged in
        #expect(result.termination.succeeded && echoed == "agent\n")
    }
}
