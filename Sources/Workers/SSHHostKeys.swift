import CLibSSH2
import Digests
import Foundation

/// Strict host-key checking against an OpenSSH known_hosts file (plain and hashed entries).
///
/// The host is looked up under the exact name OpenSSH writes: `host` on port 22, `[host]:port` elsewhere
/// (libssh2's `checkp` would also accept a plain `host` entry for any port).
struct SSHHostKeys {
    let target: SSHTarget
    private let knownHosts: OpaquePointer

    /// Host key types libssh2 1.10 can verify, in the order farmctl prefers them when known_hosts has none.
    static let types: [(method: String, keyBits: Int32, hostkeyType: Int32, name: String)] = [
        ("ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519, LIBSSH2_HOSTKEY_TYPE_ED25519, "ED25519"),
        ("ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256, LIBSSH2_HOSTKEY_TYPE_ECDSA_256, "ECDSA"),
        ("ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384, LIBSSH2_HOSTKEY_TYPE_ECDSA_384, "ECDSA"),
        ("ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521, LIBSSH2_HOSTKEY_TYPE_ECDSA_521, "ECDSA"),
        ("ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA, LIBSSH2_HOSTKEY_TYPE_RSA, "RSA"),
    ]

    /// Reads `target.knownHosts` into a collection tied to `session` (a missing file reads as empty).
    init?(session: OpaquePointer, target: SSHTarget) {
        guard let knownHosts = libssh2_knownhost_init(session) else { return nil }
        self.knownHosts = knownHosts
        self.target = target
        _ = libssh2_knownhost_readfile(knownHosts, target.knownHosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
    }

    func free() { libssh2_knownhost_free(knownHosts) }

    /// Host-key algorithms for `libssh2_session_method_pref`: the types known_hosts holds for this host first
    /// (libssh2 otherwise negotiates ECDSA and reports an ed25519-only entry as "not found"), then the rest.
    var methodPreference: String {
        let known = Self.types.filter { holds($0.keyBits) }
        let rest = Self.types.filter { type in !known.contains { $0.method == type.method } }
        return (known + rest).map(\.method).joined(separator: ",")
    }

    /// True when known_hosts has an entry of that key type for this host (probed with a key that cannot match).
    private func holds(_ keyBits: Int32) -> Bool {
        let probe: [CChar] = [0]
        let mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keyBits
        return libssh2_knownhost_check(knownHosts, target.knownHostsName, probe, 1, mask, nil) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH
    }

    /// Accepts the session's host key if known_hosts holds exactly it; otherwise throws unknown or changed.
    func verify(session: OpaquePointer) throws(SSHError) {
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type) else {
            throw .connectFailed(endpoint: target.endpoint, reason: "the worker sent no host key")
        }
        let keyType = Self.types.first { $0.hostkeyType == type }
        let fingerprint = Self.fingerprint(UnsafeRawBufferPointer(start: key, count: length))
        var report = SSHError.HostKeyReport(endpoint: target.endpoint, hostName: target.knownHostsName, host: target.host,
                                            port: target.port, knownHosts: target.knownHosts,
                                            keyType: keyType?.name ?? "type-\(type)", fingerprint: fingerprint)
        guard let keyType else { throw .hostKeyUnknown(report) }
        var entry: UnsafeMutablePointer<libssh2_knownhost>?
        let mask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | keyType.keyBits
        switch libssh2_knownhost_check(knownHosts, target.knownHostsName, key, length, mask, &entry) {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            if let base64 = entry?.pointee.key, let blob = Data(base64Encoded: String(cString: base64)) {
                report.knownFingerprint = blob.withUnsafeBytes { Self.fingerprint($0) }
            }
            throw .hostKeyChanged(report)
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw .hostKeyUnknown(report)
        default:
            throw .connectFailed(endpoint: target.endpoint, reason: "cannot check the host key against \(target.knownHosts)")
        }
    }

    /// `SHA256:` and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints it.
    static func fingerprint(_ blob: UnsafeRawBufferPointer) -> String {
        let stream = DigestStream.sha256()
        FileSHA256.update(stream, blob)
        let digest: String
        do { digest = Data(try stream.finalBytes()).base64EncodedString() } catch { fatalError("OpenSSL failed to finish a SHA-256: \(error.problem)") }
        return "SHA256:" + digest.replacingOccurrences(of: "=", with: "")
    }
}
