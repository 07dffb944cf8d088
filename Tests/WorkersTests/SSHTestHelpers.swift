import Foundation
import TestSupport
import Workers

extension SSHTarget {
    /// The target for a test host, with optional overrides for its known_hosts and key.
    init(_ host: SSHTestHost, knownHosts: String? = nil, identity: String? = nil,
         keepalive: Duration = .seconds(5), deadAfter: Duration = .seconds(20), connectTimeout: Duration = .seconds(5)) {
        let target = host.targetDescription
        self.init(host: target.host, port: target.port, user: target.user, identity: identity ?? target.identity,
                  knownHosts: knownHosts ?? target.knownHosts, connectTimeout: connectTimeout,
                  keepaliveInterval: keepalive, deadAfter: deadAfter)
    }
}

/// Starts a host, runs `body` with it and a transport to it, then closes the transport and stops the host.
func withHost<T>(_ body: (SSHTestHost, SSHTransport) async throws -> T) async throws -> T {
    let host = try await SSHTestHost.start()
    let transport = SSHTransport(target: SSHTarget(host))
    defer {
        transport.close()
        host.stop()
    }
    return try await body(host, transport)
}

/// Collects lines from a transport's `onLine` (called on the session thread).
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func add(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}

/// Seconds since `start`.
func elapsed(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
