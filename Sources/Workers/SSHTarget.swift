import Foundation

/// Where and how to reach a worker over SSH: address, account, keys and the time limits of its session.
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
    /// Host name or address.
    public var host: String
    /// TCP port of the worker's sshd.
    public var port: Int
    /// Account to log in as.
    public var user: String
    /// Private key file (ed25519 in OpenSSH format); nil to ask the ssh-agent instead.
    public var identity: String?
    /// The OpenSSH known_hosts file the worker's host key must be in (plain or hashed, `[host]:port` off port 22).
    public var knownHosts: String
    /// The ssh-agent socket when `identity` is nil; nil means `SSH_AUTH_SOCK`.
    public var agentSocket: String?
    /// Limit for TCP connect, handshake, host-key check and authentication together.
    public var connectTimeout: Duration
    /// How long the session may stay quiet before farmctl sends a keepalive (whole seconds, at least 2).
    public var keepaliveInterval: Duration
    /// Total silence from the worker, while a command runs, after which the worker counts as lost.
    public var deadAfter: Duration

    public init(host: String, port: Int = 22, user: String = "root", identity: String? = nil, knownHosts: String,
                agentSocket: String? = nil, connectTimeout: Duration = .seconds(10),
                keepaliveInterval: Duration = .seconds(5), deadAfter: Duration = .seconds(20)) {
        self.host = host
        self.port = port
        self.user = user
        self.identity = identity
        self.knownHosts = knownHosts
        self.agentSocket = agentSocket
        self.connectTimeout = connectTimeout
        self.keepaliveInterval = keepaliveInterval
        self.deadAfter = deadAfter
    }

    /// `user@host:port`, for messages.
    public var endpoint: String { "\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// The host's name as OpenSSH writes it in known_hosts: `host`, or `[host]:port` off port 22.
    public var knownHostsName: String { port == 22 ? host : "[\(host)]:\(port)" }

    public var description: String { endpoint }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    /// The duration in whole milliseconds, rounded up, clamped to Int32 for poll(2).
    var pollMilliseconds: Int32 { Int32(clamping: Int((seconds * 1000).rounded(.up))) }
}
