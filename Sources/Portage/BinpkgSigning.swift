import Foundation
import Workers

/// The farm's binpkg signing key as Portage uses it on one worker: gpkg binpkgs are signed as they are written
/// (`binpkg-signing`) and every signed binpkg Portage reads is checked against the farm's trust home.
public struct BinpkgSigning: Sendable, Equatable {
    /// The GnuPG home holding the secret key (on the worker).
    public var gpgHome: String
    /// The key's fingerprint.
    public var fingerprint: String
    /// A GnuPG home holding only the farm's public key, ultimately trusted (on the worker).
    public var verifyHome: String

    public init(gpgHome: String, fingerprint: String, verifyHome: String) {
        self.gpgHome = gpgHome
        self.fingerprint = fingerprint
        self.verifyHome = verifyHome
    }

    /// Portage's variables: verification always (as the farm's own user, against its trust home), signing when
    /// `signs` (a gpkg class). `flock` serializes the worker's signers on one lock in the home, as Portage's
    /// default command does on /run/lock (which a build root need not have).
    func environment(signs: Bool) -> [String: String?] {
        var environment: [String: String?] = [
            "BINPKG_GPG_VERIFY_GPG_HOME": verifyHome,
            "GPG_VERIFY_USER_DROP": "",
            "GPG_VERIFY_GROUP_DROP": "",
        ]
        if signs {
            environment["BINPKG_GPG_SIGNING_GPG_HOME"] = gpgHome
            environment["BINPKG_GPG_SIGNING_KEY"] = fingerprint
            environment["BINPKG_GPG_SIGNING_BASE_COMMAND"] = "flock \(Command.shellQuoted(gpgHome + "/.farmctl-sign.lock")) gpg --sign --armor [PORTAGE_CONFIG]"
        }
        return environment
    }
}
