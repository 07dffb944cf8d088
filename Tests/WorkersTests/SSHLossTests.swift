import Foundation
import Testing
import TestSupport
import Workers

@Suite struct SSHLossTests {
    @Test func hostKilledMidCommandIsWorkerLost() async throws {
        // Given a long command running on a host
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let transport = SSHTransport(target: SSHTarget(host))
        defer { transport.close() }
        try await transport.connect()
        let running = Task { try await transport.run(Command("sleep", ["30"])) }
        try await Task.sleep(for: .milliseconds(300))
        // When the host dies (sshd and all its processes SIGKILLed)
        let start = ContinuousClock.now
        host.kill()
        // Then the run fails within seconds (not after the command's 30 s; the bound leaves room for a loaded
        // machine) with an error that counts as a lost worker
        let error = await #expect(throws: SSHError.self) { try await running.value }
        #expect(elapsed(since: start) < 10)
        #expect(error?.isWorkerLost == true)
        // And a later call tries to reconnect and fails to connect, still a lost worker
        let again = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        guard case .connectFailed = again else { Issue.record("not connectFailed: \(String(describing: again))"); return }
        #expect(again?.isWorkerLost == true)
        // And another host at a new address works
        let other = try await SSHTestHost.start()
        defer { other.stop() }
        let fresh = SSHTransport(target: SSHTarget(other))
        defer { fresh.close() }
        #expect(other.address != host.address)
        #expect(try await fresh.run(Command("true")).termination.succeeded)
    }

    @Test func silentHostIsLostAfterDeadAfter() async throws {
        // Given a command running on a host, with keepalives every 2 s and 3 s of silence allowed
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        let transport = SSHTransport(target: SSHTarget(host, keepalive: .seconds(2), deadAfter: .seconds(3)))
        defer { transport.close() }
        try await transport.connect()
        let running = Task { try await transport.run(Command("sleep", ["30"])) }
        try await Task.sleep(for: .milliseconds(300))
        // When the host freezes (connected, but never answers again)
        let start = ContinuousClock.now
        host.freeze()
        // Then the run fails as a lost worker once 3 s have passed without a word
        let error = await #expect(throws: SSHError.self) { try await running.value }
        let waited = elapsed(since: start)
        #expect(waited >= 2.5 && waited < 10)  // the upper bound leaves room for a loaded machine (the command runs 30 s)
        #expect(error?.isWorkerLost == true)
        #expect("\(error!)".contains("no answer for 3 s"))
    }

    @Test func liveButQuietCommandIsNotLost() async throws {
        // Given a tight silence limit and a command that prints nothing for longer than it
        try await withHost { host, _ in
            let transport = SSHTransport(target: SSHTarget(host, keepalive: .seconds(2), deadAfter: .seconds(3)))
            defer { transport.close() }
            // When it runs
            let result = try await transport.run(Command("sleep", ["4"]))
            // Then keepalive answers keep the session alive
            #expect(result.termination.succeeded)
        }
    }

    @Test func hostThatNeverAnswersTimesOutConnecting() async throws {
        // Given a frozen host: the kernel still accepts TCP, sshd never speaks
        let host = try await SSHTestHost.start()
        defer { host.stop() }
        host.freeze()
        let transport = SSHTransport(target: SSHTarget(host, connectTimeout: .seconds(1)))
        // When a command is sent
        let start = ContinuousClock.now
        let error = await #expect(throws: SSHError.self) { try await transport.run(Command("true")) }
        // Then connecting times out, as a lost worker: after the 1 s connect timeout, well before the 20 s a silent
        // session is given (the margin is for a loaded 2-core machine: 2.8 s was seen, and 11.7 s while the suite's
        // browser and wrk test held both cores)
        guard case .timedOut = error else { Issue.record("not timedOut: \(String(describing: error))"); return }
        #expect(elapsed(since: start) < 16)
        #expect(error?.isWorkerLost == true)
    }

    @Test func droppedConnectionReconnectsOnNextCall() async throws {
        try await withHost { host, transport in
            // Given a session that has run a command
            let (_, first) = try await transport.capture(Command("sh", ["-c", "echo $SSH_CLIENT"]), limit: 100)
            // And a command that was running when it dropped
            let running = Task { try await transport.run(Command("sh", ["-c", "sleep 30; true"])) }
            try await Task.sleep(for: .milliseconds(300))
            // When its connection drops (session processes and their commands killed, sshd still listening)
            host.dropConnections()
            #expect(await (try? running.value) == nil)
            try await Task.sleep(for: .milliseconds(200))
            // Then the next call opens a new session (another client port) and succeeds
            let (result, second) = try await transport.capture(Command("sh", ["-c", "echo $SSH_CLIENT"]), limit: 100)
            #expect(result.termination.succeeded)
            #expect(!second.isEmpty && first != second)
            // And no killed process of the old session is left as a zombie of this test process
            let zombies = try ExampleFarm.run("/bin/sh", ["-c", "ps -o stat=,comm= --ppid \(getpid()) | grep -c '^Z.*sleep' || true"]).1
            #expect(zombies.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }
}
