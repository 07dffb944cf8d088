import Foundation
import Testing
import TestSupport
import Workers

/// The signed binhost: the example farm signs PIII's gpkg binpkgs with its key (`signing_key`), `farmctl serve`
/// offers them with the public key, and a real Portage client with signature verification on installs them,
/// refusing them before it trusts the key and refusing a tampered one; `farmctl binpkg verify` finds the tampering.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct SignedBinhostTests {
    /// A Portage client of `/binhost/PIII/` in its own directory: its config root (PIII's make.conf and profile),
    /// the binrepos.conf the server gives, its own root, PKGDIR and GnuPG home (/etc/portage/gnupg of a real client).
    struct Client: Sendable {
        let directory: URL
        /// The farm's ebuild repository (the client's, as a client of a farm shares its tree).
        let repository: URL
        var gnupg: URL { directory.appendingPathComponent("gnupg") }

        init(farm: ExampleFarm, binreposConf: String) throws {
            repository = farm.url("repo")
            directory = try Fixtures.temporaryDirectory("binhost-client")
            let portage = directory.appendingPathComponent("config/etc/portage")
            try FileManager.default.createDirectory(at: portage, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: farm.url("profiles/PIII/make.conf"), to: portage.appendingPathComponent("make.conf"))
            try FileManager.default.createSymbolicLink(at: portage.appendingPathComponent("make.profile"),
                                                       withDestinationURL: repository.appendingPathComponent("profiles/default/linux/x86"))
            try binreposConf.write(to: portage.appendingPathComponent("binrepos.conf"), atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(at: gnupg, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }

        /// Runs gpg on the client's home.
        func gpg(_ arguments: [String], input: String? = nil) throws -> ExampleFarm.Ended {
            let script = (input.map { "printf '%s' \(Command.shellQuoted($0)) | " } ?? "") + "gpg --homedir \(gnupg.path) --batch --no-tty "
                + arguments.map(Command.shellQuoted).joined(separator: " ")
            return try ExampleFarm.launch("/bin/sh", ["-c", script])
        }

        /// Trusts `key` as a client's admin does (import, ownertrust, trustdb); Portage checks as `nobody`, so the
        /// home is made readable to it, as getuto does.
        func trust(key: String, fingerprint: String) throws {
            #expect(try gpg(["--import"], input: key).status == 0)
            #expect(try gpg(["--import-ownertrust"], input: "\(fingerprint):6:\n").status == 0)
            #expect(try gpg(["--check-trustdb"]).status == 0)
            _ = try ExampleFarm.launch("/usr/bin/gpgconf", ["--homedir", gnupg.path, "--kill", "gpg-agent"])
            _ = try ExampleFarm.launch("/bin/chmod", ["-R", "go+rX", directory.path])
        }

        /// `emerge --getbinpkgonly` of the farm's node set into a fresh root named `name`, verification on.
        func install(into name: String) throws -> ExampleFarm.Ended {
            let root = directory.appendingPathComponent(name)
            var environment = [
                "EPREFIX": "", "PORTAGE_CONFIGROOT": directory.appendingPathComponent("config").path,
                "PORTAGE_REPOSITORIES": "[DEFAULT]\nmain-repo = farm\n[farm]\nlocation = \(repository.path)\n",
                "ROOT": root.path, "SYSROOT": root.path,
                "PKGDIR": directory.appendingPathComponent("\(name)-packages").path,
                "PORTAGE_TMPDIR": directory.appendingPathComponent("\(name)-tmp").path,
                "DISTDIR": directory.appendingPathComponent("distfiles").path,
                "PORTAGE_USERNAME": "root", "PORTAGE_GRPNAME": "root",
                "FEATURES": "-sandbox -usersandbox -userpriv -userfetch -ipc-sandbox -network-sandbox -pid-sandbox binpkg-request-signature",
                "BINPKG_FORMAT": "gpkg", "BINPKG_GPG_VERIFY_GPG_HOME": gnupg.path,
                "NOCOLOR": "true", "EMERGE_WARNING_DELAY": "0", "PYTHONDONTWRITEBYTECODE": "1",
            ]
            environment["PATH"] = (ExampleFarm.emerge as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            for key in ["PORTAGE_TMPDIR", "DISTDIR"] { try FileManager.default.createDirectory(atPath: environment[key]!, withIntermediateDirectories: true) }
            _ = try ExampleFarm.launch("/bin/chmod", ["-R", "go+rX", directory.path])
            return try ExampleFarm.launch("/usr/bin/linux32", [ExampleFarm.emerge, "--getbinpkgonly", "--with-bdeps=n", "--color=n",
                                                               "--nospinner", "--quiet=y", "app-misc/farm-node-meta"], environment: environment)
        }

        /// The packages installed in root `name` (category/PF).
        func installed(_ name: String) -> [String] {
            let vdb = directory.appendingPathComponent("\(name)/var/db/pkg")
            let categories = (try? FileManager.default.contentsOfDirectory(atPath: vdb.path)) ?? []
            return categories.flatMap { category in
                ((try? FileManager.default.contentsOfDirectory(atPath: vdb.appendingPathComponent(category).path)) ?? []).map { "\(category)/\($0)" }
            }
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func aPortageClientVerifyingSignaturesInstallsTheSignedBinpkgsAndRefusesATamperedOne() async throws {
        // Given the example farm (PIII writes gpkg, the farm has its signing key) with PIII built
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let config = farm.config.path
        let built = try await onOwnThread { try ExampleFarm.launch(Fixtures.farmctl, ["build", "--plain", "--config", config, "PIII"]) }
        try #require(built.status == 0, "\(built.output)")
        // Then every binpkg is a gpkg with a clear-signed Manifest, and `binpkg verify` checks them all as good
        let pkgdir = farm.url("var/packages/PIII")
        let binpkgs = FileManager.default.enumerator(atPath: pkgdir.path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".gpkg.tar") }
        #expect(binpkgs.count == 9, "\(binpkgs)")
        for path in binpkgs {
            let bytes = try Data(contentsOf: pkgdir.appendingPathComponent(path))
            #expect(bytes.range(of: Data("-----BEGIN PGP SIGNED MESSAGE-----".utf8)) != nil, "\(path)")
        }
        let verified = try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, ["binpkg", "verify", "--config", config]) }
        #expect(verified.0 == 0, "\(verified.1)")

        // When `farmctl serve` runs and a client takes binrepos.conf and the public key from it
        let server = try await onOwnThread { try ServeEndToEndTests.Server(config: config) }
        defer { _ = server.stop() }
        let conf = try await RawHTTP.get(port: server.port, "/binhost/PIII/binrepos.conf")
        #expect(conf.text.contains("verify-signature = true") && conf.text.contains("sync-uri = http://127.0.0.1:\(server.port)/binhost/PIII"), "\(conf.text)")
        let key = try await RawHTTP.get(port: server.port, "/binhost/PIII/signing-key.asc")
        #expect(key.status == 200 && key.text.hasPrefix("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        let fingerprint = try #require(conf.text.split(separator: "\n").first { $0.contains(":6: | gpg") }?
            .split(separator: " ").first { $0.hasSuffix(":6:") }?.dropLast(3))
        #expect(try await RawHTTP.get(port: server.port, "/binhost/AthlonXP/signing-key.asc").status == 404)   // xpak: not signed
        let client = try Client(farm: farm, binreposConf: conf.text)
        defer { client.remove() }

        // Then before it trusts the farm's key, its emerge refuses the binpkgs (verification is on)
        let untrusted = try await onOwnThread { try client.install(into: "untrusted") }
        #expect(untrusted.status != 0, "\(untrusted.output)")
        #expect(client.installed("untrusted").isEmpty)
        // and once it trusts the key, the whole node set installs from the binhost
        try client.trust(key: key.text, fingerprint: String(fingerprint))
        let trusted = try await onOwnThread { try client.install(into: "trusted") }
        #expect(trusted.status == 0, "\(trusted.output)")
        #expect(client.installed("trusted").count == 9, "\(client.installed("trusted"))")

        // Given one binpkg's signed Manifest altered after signing (one digest digit, same size) and the index
        // regenerated, so that only the signature can tell
        let victim = try #require(binpkgs.first { $0.hasPrefix("app-misc/fhsum/") })
        let victimURL = pkgdir.appendingPathComponent(victim)
        var bytes = try Data(contentsOf: victimURL)
        let manifest = try #require(bytes.range(of: Data("DATA metadata.tar".utf8)))
        let digest = try #require(bytes[manifest.upperBound...].range(of: Data(" SHA512 ".utf8)))
        bytes[digest.upperBound] = bytes[digest.upperBound] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try bytes.write(to: victimURL)
        #expect(try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, ["binpkg", "index", pkgdir.path]) }.0 == 0)
        // When a client installs again, Then Portage refuses it for its signature
        let tampered = try await onOwnThread { try client.install(into: "tampered") }
        #expect(tampered.status != 0, "\(tampered.output)")
        #expect(tampered.output.lowercased().contains("signature") || tampered.output.contains("BADSIG"), "\(tampered.output)")
        #expect(!client.installed("tampered").contains { $0.hasPrefix("app-misc/fhsum") })
        // and `farmctl binpkg verify` names it, says why, and moves it out of the binhost
        let (status, report) = try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, ["binpkg", "verify", "--config", config]) }
        #expect(status == 1)
        #expect(report.contains("DAMAGED \(victim)") && report.contains("signature does not match"), "\(report)")
        #expect(!FileManager.default.fileExists(atPath: victimURL.path))
        #expect(try await RawHTTP.get(port: server.port, "/binhost/PIII/\(victim)").status == 404)
    }
}
