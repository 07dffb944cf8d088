import Foundation
import Testing
import TestSupport
import Workers

@Suite struct SSHConcurrencyTests {
    @Test func manySessionsBesideEndedOnes() async throws {
        // Given two hosts, and a port on a third address where nothing listens
        let hosts = [try await SSHTestHost.start(), try await SSHTestHost.start()]
        defer { hosts.forEach { $0.stop() } }
        let nowhere = try await SSHTestHost.start()
        nowhere.stop()
        let failures = LineCollector()
        // When 6 tasks each open 12 sessions that stream output, while sessions that failed to connect
        // (their threads ended) are closed again and again next to them
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    for _ in 0..<12 {
                        let dead = SSHTransport(target: SSHTarget(nowhere))
                        _ = try? await dead.run(Command("true"))
                        let live = SSHTransport(target: SSHTarget(hosts[worker % 2]))
                        do {
                            async let output = live.capture(Command("seq", ["1", "20000"]), limit: 1 << 20)
                            for _ in 0..<5 { dead.close() }
                            let (result, text) = try await output
                            if !result.termination.succeeded || text.count != 108_894 { failures.add("bad output: \(result)") }
                        } catch {
                            failures.add("\(error)")
                        }
                        live.close()
                    }
                }
            }
        }
        // Then every session worked
        #expect(failures.lines == [])
    }
}
