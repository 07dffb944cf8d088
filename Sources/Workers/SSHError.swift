import FarmModel
import Foundation

/// Why an SSH worker could not be used: each case names the worker (`user@host:port`) and says what to do.
public enum SSHError: UserFacingError, WorkerLossError, Equatable {
    /// No TCP connection or no SSH handshake (refused, unreachable, not an sshd).
    case connectFailed(endpoint: String, reason: String)
    /// Connecting, the handshake or authentication took longer than `connectTimeout`.
    case timedOut(endpoint: String, phase: String, seconds: Double)
    /// The worker's host key is not in known_hosts.
    case hostKeyUnknown(HostKeyReport)
    /// known_hosts holds a different key of that type for the worker.
    case hostKeyChanged(HostKeyReport)
    /// The worker refused the key, or no usable key was available.
    case authenticationFailed(endpoint: String, reason: String, fix: String)
    /// The session broke or the worker went silent while operations were pending.
    case workerLost(endpoint: String, reason: String)
    /// The worker refused to open a channel or start a command on a working session.
    case channelFailed(endpoint: String, reason: String)
    /// An SFTP step (open, write, read, close) or a file step around it failed on the worker.
    case sftpFailed(endpoint: String, path: String, reason: String)
    /// A copied file's size or SHA-256 differs between coordinator and worker.
    case verificationFailed(endpoint: String, path: String, reason: String)

    /// What known_hosts was checked against and what the worker presented.
    public struct HostKeyReport: Sendable, Hashable {
        public var endpoint: String
        /// `host` or `[host]:port`, as in known_hosts.
        public var hostName: String
        public var host: String
        public var port: Int
        public var knownHosts: String
        /// OpenSSH's name for the key type, e.g. `ED25519`.
        public var keyType: String
        /// The presented key's fingerprint, `SHA256:` and unpadded base64 as `ssh-keygen -l` prints it.
        public var fingerprint: String
        /// For a changed key, the fingerprint known_hosts holds.
        public var knownFingerprint: String?
    }

    /// True when the worker is unreachable or went away (a build may be requeued on another worker).
    public var isWorkerLost: Bool {
        switch self {
        case .connectFailed, .timedOut, .workerLost: true
        default: false
        }
    }

    public var problem: String {
        switch self {
        case .connectFailed(let endpoint, let reason):
            "cannot connect to worker \(endpoint): \(reason)"
        case .timedOut(let endpoint, let phase, let seconds):
            "worker \(endpoint) did not answer within \(Self.format(seconds)) s while \(phase)"
        case .hostKeyUnknown(let report):
            "the host key of worker \(report.endpoint) is not in \(report.knownHosts): it offers \(report.keyType) key "
                + "\(report.fingerprint); nothing was run on it"
        case .hostKeyChanged(let report):
            "the host key of worker \(report.endpoint) has CHANGED: \(report.knownHosts) holds \(report.keyType) key "
                + "\(report.knownFingerprint ?? "(unknown)") for \(report.hostName), the worker now offers "
                + "\(report.fingerprint); nothing was run on it"
        case .authenticationFailed(let endpoint, let reason, _):
            "cannot log in to worker \(endpoint): \(reason)"
        case .workerLost(let endpoint, let reason):
            "lost worker \(endpoint): \(reason)"
        case .channelFailed(let endpoint, let reason):
            "worker \(endpoint) refused to run a command: \(reason)"
        case .sftpFailed(let endpoint, let path, let reason):
            "file transfer with worker \(endpoint) failed at \(path): \(reason)"
        case .verificationFailed(let endpoint, let path, let reason):
            "the copy of \(path) on worker \(endpoint) does not match: \(reason)"
        }
    }

    public var fix: String {
        switch self {
        case .connectFailed:
            "check that the worker is up, that sshd listens on that address and port, and the host and port in workers.conf"
        case .timedOut:
            "check the worker's network and load; raise the connect timeout if the worker is just slow"
        case .hostKeyUnknown(let r):
            "check the fingerprint on the worker itself (`ssh-keygen -lf /etc/ssh/ssh_host_\(r.keyType.lowercased())_key.pub`), "
                + "then add the key: `ssh-keyscan -p \(r.port) -t \(r.keyType.lowercased()) \(r.host) >> \(r.knownHosts)`"
        case .hostKeyChanged(let r):
            "find out why the key changed (reinstalled worker, or someone in between?); only then remove the old key with "
                + "`ssh-keygen -R '\(r.hostName)' -f \(r.knownHosts)` and add the new one with "
                + "`ssh-keyscan -p \(r.port) -t \(r.keyType.lowercased()) \(r.host) >> \(r.knownHosts)`"
        case .authenticationFailed(_, _, let fix):
            fix
        case .workerLost:
            "check whether the worker crashed, rebooted or lost its network; its builds are requeued on other workers"
        case .channelFailed:
            "check the worker's sshd (MaxSessions, and that it allows exec and the sftp subsystem)"
        case .sftpFailed:
            "check the path, permissions and free space on the worker"
        case .verificationFailed:
            "retry the copy; if it keeps failing, check the worker's disk and memory"
        }
    }

    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}
