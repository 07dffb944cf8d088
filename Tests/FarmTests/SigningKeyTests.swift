import FarmConfig
import Foundation
import Testing
import TestSupport
@testable import Farm

/// The farm's signing key: made by `keygen`, opened with clear errors, and the one check of a Manifest's signature.
@Suite(.serialized)
struct SigningKeyTests {
    /// A farm directory whose workers.conf names `var/gnupg` as signing_key.
    func farm() throws -> (URL, FarmSettings) {
        let directory = try Fixtures.temporaryDirectory("signing")
        let text = "[farm]\nsigning_key = \"var/gnupg\"\n[worker.local]\nhost = \"localhost\"\njobs = 1\narches = [\"amd64\"]\nworkdir = \"var/work\"\n"
        let config = directory.appendingPathComponent("workers.conf")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return (directory, try FarmSettings.parse(text, configFile: config))
    }

    func cleanUp(_ directory: URL, _ homes: [String]) {
        for home in homes { GnuPG.stopAgent(home: directory.appendingPathComponent(home).path) }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Clear-signs `text` with the key in `home`.
    func sign(_ text: String, home: URL) throws -> String {
        let result = try GnuPG.run(home: home.path, ["--clear-sign"], input: Data(text.utf8))
        try #require(result.status == 0, "\(result.errors)")
        return result.output
    }

    @Test func aMissingHomeIsNamedWithTheCommandThatMakesIt() throws {
        let (directory, settings) = try farm()
        defer { cleanUp(directory, []) }
        #expect { try SigningKey.open(settings) } throws: { error in
            let text = "\(error)"
            return text.contains("signing_key = \"\(directory.path)/var/gnupg\"") && text.contains("no GnuPG home there")
                && text.contains("farmctl binpkg keygen")
        }
    }

    @Test func keygenMakesOneKeyOnceAndItsTrustHomeChecksOnlyItsSignatures() throws {
        let (directory, settings) = try farm()
        defer { cleanUp(directory, ["var/gnupg", "other"]) }
        // Given a key made by keygen, When keygen runs again, Then it keeps the key
        let (key, created) = try SigningKey.create(settings, userID: "test <root@localhost>")
        #expect(created)
        let (again, createdAgain) = try SigningKey.create(settings, userID: "test <root@localhost>")
        #expect(!createdAgain && again.fingerprint == key.fingerprint && key.fingerprint.count == 40)
        #expect(try String(contentsOf: key.publicKey, encoding: .utf8).hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        // Then a Manifest it signed verifies; unsigned, altered or signed by another key does not, each said so
        let manifest = "DATA image.tar.zst 10 SHA512 00aa\n"
        let signed = try sign(manifest, home: key.home)
        #expect(key.problem(manifest: signed) == nil)
        #expect(key.problem(manifest: manifest)?.contains("not signed") == true)
        #expect(key.problem(manifest: signed.replacingOccurrences(of: "00aa", with: "00ab"))?.contains("does not match") == true)
        let other = directory.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        #expect(try GnuPG.run(home: other.path, ["--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", "other <x@y>", "ed25519", "sign", "never"]).status == 0)
        #expect(key.problem(manifest: try sign(manifest, home: other))?.contains("not the farm's") == true)

        // Given a second secret key in the farm's home, When it is opened, Then that is refused, naming both
        let export = try GnuPG.run(home: other.path, ["--pinentry-mode", "loopback", "--passphrase", "", "--armor", "--export-secret-keys"])
        #expect(try GnuPG.run(home: key.home.path, ["--pinentry-mode", "loopback", "--passphrase", "", "--import"], input: Data(export.output.utf8)).status == 0)
        #expect { try SigningKey.open(settings) } throws: { "\($0)".contains("holds 2 secret signing keys") }
    }

    @Test func signingKeysAreThoseThatSignAndWhoseSecretIsHere() {
        let colons = """
            tru:o:1:1796681501:1:3:1:5
            pub:u:255:22:03EE494FB33A4A36:1796681501:::u:::scSC:::::ed25519:::0:
            fpr:::::::::DC46D36937286E7FDEF08F1B03EE494FB33A4A36:
            grp:::::::::830667CF4777670EFC1379BCD5DF3852266C9FB1:
            uid:u::::1796681501::FB2F::x <r@l>::::::::::0:
            pub:r:255:22:AAAA:1796681501:::u:::scSC:::::ed25519:::0:
            fpr:::::::::REVOKEDREVOKEDREVOKEDREVOKEDREVOKEDREVO:
            grp:::::::::GRIP2:
            pub:u:255:22:BBBB:1796681501:::u:::eE:::::cv25519:::0:
            fpr:::::::::ENCRYPTONLYENCRYPTONLYENCRYPTONLYENCRYPT:
            grp:::::::::GRIP3:
            """
        #expect(GnuPG.signingKeys(colons: colons) { _ in true } == ["DC46D36937286E7FDEF08F1B03EE494FB33A4A36"])
        #expect(GnuPG.signingKeys(colons: colons) { $0 != "830667CF4777670EFC1379BCD5DF3852266C9FB1" }.isEmpty)
    }
}
