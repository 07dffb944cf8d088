import FarmConfig
import FarmModel
import Foundation
import Portage
import Synchronization

/// The farm's binpkg signing key (`[farm] signing_key`, a GnuPG home): its fingerprint, its public key as clients
/// get it, and a trust home holding only that key, against which farmctl and its Portage check every signature.
public struct SigningKey: Sendable {
    /// The GnuPG home holding the secret key.
    public let home: URL
    public let fingerprint: String
    /// `<state>/signing/signing-key.asc`: the public key, ASCII-armoured.
    public let publicKey: URL
    /// `<state>/signing/verify`: a GnuPG home with the public key ultimately trusted, nothing else.
    public let verifyHome: URL

    /// Opens the key `[farm] signing_key` names (nil when it names none). The home must hold exactly one secret
    /// key that can sign; the public key and the trust home are made again (atomically) when its fingerprint changed.
    public static func open(_ settings: FarmSettings) throws -> SigningKey? {
        guard let home = settings.signingKey else { return nil }
        let origin = "\(settings.configFile.path): [farm] signing_key = \"\(home.path)\""
        let create = "create the key with `farmctl binpkg keygen --config \(settings.configFile.path)`, or point signing_key at the GnuPG home that holds it"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: home.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FarmError(problem: "\(origin): there is no GnuPG home there", fix: create)
        }
        // Public listing and the key files: asking for secret keys would start a gpg-agent.
        let listing = try GnuPG.run(home: home.path, ["--list-keys", "--with-colons", "--with-keygrip", "--fixed-list-mode"])
        let keys = GnuPG.signingKeys(colons: listing.output) {
            FileManager.default.fileExists(atPath: home.appendingPathComponent("private-keys-v1.d/\($0).key").path)
        }
        guard keys.count == 1, let fingerprint = keys.first else {
            throw FarmError(problem: keys.isEmpty ? "\(origin): the GnuPG home holds no secret key that can sign"
                                                  : "\(origin): the GnuPG home holds \(keys.count) secret signing keys (\(keys.joined(separator: ", "))); farmctl signs with one",
                            fix: keys.isEmpty ? create : "keep the farm's key alone in that home (move the others to another home)")
        }
        let directory = settings.state.appendingPathComponent("signing")
        let key = SigningKey(home: home, fingerprint: fingerprint, publicKey: directory.appendingPathComponent("signing-key.asc"),
                             verifyHome: directory.appendingPathComponent("verify"))
        let stamp = directory.appendingPathComponent("fingerprint")
        if (try? String(contentsOf: stamp, encoding: .utf8)) != fingerprint + "\n"
            || !FileManager.default.fileExists(atPath: key.verifyHome.path) {
            try key.makeTrustHome(in: directory, stamp: stamp)
        }
        return key
    }

    /// Makes the GnuPG home `[farm] signing_key` names with one new ed25519 signing key (no passphrase, no
    /// expiry) unless it already holds one; returns the key and whether it was created.
    public static func create(_ settings: FarmSettings, userID: String) throws -> (SigningKey, created: Bool) {
        guard let home = settings.signingKey else {
            throw FarmError(problem: "\(settings.configFile.path): [farm] has no signing_key, so there is no GnuPG home to make the key in",
                            fix: "add `signing_key = \"var/gnupg\"` to the [farm] table")
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: home.path), let key = try? open(settings) { return (key, false) }
        try fm.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let made = try GnuPG.run(home: home.path, ["--pinentry-mode", "loopback", "--passphrase", "",
                                                   "--quick-gen-key", userID, "ed25519", "sign", "never"])
        GnuPG.stopAgent(home: home.path)
        guard made.status == 0, let key = try open(settings) else {
            throw FarmError(problem: "gpg could not create a signing key in \(home.path): \(made.errors)",
                            fix: "check that gpg works (`gpg --version`) and that \(home.path) is writable")
        }
        return (key, true)
    }

    /// The key as farmctl last opened it (keygen, a build, `binpkg verify`): its fingerprint and public key under
    /// `<state>/signing`, read without the secret home (what `serve` offers); nil before that.
    public static func published(_ settings: FarmSettings) -> SigningKey? {
        guard let home = settings.signingKey else { return nil }
        let directory = settings.state.appendingPathComponent("signing")
        guard let stamp = try? String(contentsOf: directory.appendingPathComponent("fingerprint"), encoding: .utf8) else { return nil }
        let key = SigningKey(home: home, fingerprint: stamp.trimmingCharacters(in: .whitespacesAndNewlines),
                             publicKey: directory.appendingPathComponent("signing-key.asc"), verifyHome: directory.appendingPathComponent("verify"))
        return FileManager.default.fileExists(atPath: key.publicKey.path) ? key : nil
    }

    /// The key as Portage on the coordinator uses it.
    public var portage: BinpkgSigning {
        BinpkgSigning(gpgHome: home.path, fingerprint: fingerprint, verifyHome: verifyHome.path)
    }

    /// Why a gpkg Manifest does not prove the binpkg is the farm's: nil when it is clear-signed by this key.
    public func problem(manifest text: String?) -> String? {
        guard let text, text.hasPrefix("-----BEGIN PGP SIGNED MESSAGE-----") else {
            return "not signed (the farm signs gpkg binpkgs with key \(fingerprint))"
        }
        guard let result = try? GnuPG.run(home: verifyHome.path, ["--no-auto-check-trustdb", "--status-fd", "1", "--verify"], input: Data(text.utf8)) else {
            return "its signature could not be checked (gpg did not run)"
        }
        let status = result.output.split(separator: "\n")
        if let valid = status.first(where: { $0.hasPrefix("[GNUPG:] VALIDSIG ") }), valid.split(separator: " ").last.map(String.init) == fingerprint {
            return nil
        }
        if status.contains(where: { $0.hasPrefix("[GNUPG:] BADSIG ") }) { return "its signature does not match its Manifest (altered after signing)" }
        if let missing = status.first(where: { $0.hasPrefix("[GNUPG:] ERRSIG ") || $0.hasPrefix("[GNUPG:] NO_PUBKEY ") }) {
            return "signed by a key that is not the farm's (\(missing.split(separator: " ").dropFirst(2).first ?? "?"))"
        }
        return "its signature does not verify against the farm's key \(fingerprint)"
    }

    private func makeTrustHome(in directory: URL, stamp: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let staging = directory.appendingPathComponent("verify.new-\(getpid())")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? fm.removeItem(at: staging) }
        let exported = try GnuPG.run(home: home.path, ["--armor", "--export", fingerprint])
        guard exported.status == 0, exported.output.contains("BEGIN PGP PUBLIC KEY BLOCK") else {
            throw FarmError(problem: "\(home.path): gpg cannot export the public key \(fingerprint): \(exported.errors)",
                            fix: "check the GnuPG home with `gpg --homedir \(home.path) --list-keys`")
        }
        for step in [(["--import"], Data(exported.output.utf8)), (["--import-ownertrust"], Data("\(fingerprint):6:\n".utf8)),
                     (["--check-trustdb"], nil)] {
            let result = try GnuPG.run(home: staging.path, step.0, input: step.1)
            guard result.status == 0 else {
                throw FarmError(problem: "gpg \(step.0[0]) into the farm's trust home failed: \(result.errors)",
                                fix: "check that gpg works: gpg --version")
            }
        }
        GnuPG.stopAgent(home: staging.path)
        try? fm.removeItem(at: key(verifyHomeOld: directory))
        if fm.fileExists(atPath: verifyHome.path) { try fm.moveItem(at: verifyHome, to: key(verifyHomeOld: directory)) }
        try fm.moveItem(at: staging, to: verifyHome)
        try? fm.removeItem(at: key(verifyHomeOld: directory))
        let temporary = publicKey.appendingPathExtension("new-\(getpid())")
        try exported.output.write(to: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary.path, publicKey.path) == 0 else {
            throw FarmError(problem: "cannot write \(publicKey.path): \(String(cString: strerror(errno)))", fix: "check that \(directory.path) is writable")
        }
        try (fingerprint + "\n").write(to: stamp, atomically: true, encoding: .utf8)
    }

    private func key(verifyHomeOld directory: URL) -> URL { directory.appendingPathComponent("verify.old-\(getpid())") }
}

/// A class's binhost as `farmctl serve` offers it.
public struct Binhost: Sendable {
    public var pkgdir: URL
    /// The farm's key when it signs the class's binpkgs (gpkg and `[farm] signing_key`).
    public var signingKey: SigningKey?
}

extension Farm {
    /// The binhost of `nodeClass`; nil when the farm has no such class (or its profile does not load).
    public func binhost(_ nodeClass: ClassName) -> Binhost? {
        guard let profile = try? profiles(named: [nodeClass.rawValue]).first else { return nil }
        let signs = profile.makeConf.value("BINPKG_FORMAT") == "gpkg"
        return Binhost(pkgdir: settings.packagesDirectory(for: nodeClass), signingKey: signs ? SigningKey.published(settings) : nil)
    }
}

/// GnuPG run as a program (batch mode, no terminal): the farm's few calls of it.
enum GnuPG {
    struct Result { var status: Int32; var output: String; var errors: String }

    /// Runs `gpg --homedir HOME --batch --no-tty ARGUMENTS`, blocking; `input` goes to its standard input.
    static func run(home: String, _ arguments: [String], input: Data? = nil) throws -> Result {
        try run(["gpg", "--homedir", home, "--batch", "--no-tty"] + arguments, input: input)
    }

    /// Stops the gpg-agent GnuPG started for `home` (farmctl's own homes only).
    static func stopAgent(home: String) {
        _ = try? run(["gpgconf", "--homedir", home, "--kill", "gpg-agent"], input: nil)
    }

    static func run(_ command: [String], input: Data?) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        do { try process.run() } catch {
            throw FarmError(problem: "cannot run \(command[0]): \(error.localizedDescription)", fix: "install GnuPG (Debian: apt-get install gnupg)")
        }
        if let input {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        let errorData = Mutex<Data>(Data())
        let drained = DispatchSemaphore(value: 0)
        Thread { errorData.withLock { $0 = errors.fileHandleForReading.readDataToEndOfFile() }; drained.signal() }.start()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        let err = errorData.withLock { $0 }
        return Result(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
                      errors: String(decoding: err, as: UTF8.self).split(separator: "\n").suffix(3).joined(separator: " "))
    }

    /// Primary fingerprints, in `--with-colons --with-keygrip` output, of valid keys that can sign (capability `S`)
    /// and whose signing key (primary or subkey) has its secret, per `hasSecret(keygrip)`.
    static func signingKeys(colons: String, hasSecret: (String) -> Bool) -> [String] {
        var keys: [String] = []
        var primary: String?, usable = false, signs = false, found = false
        func close() { if let primary, usable, found, !keys.contains(primary) { keys.append(primary) } }
        for line in colons.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > (["pub", "sub"].contains(fields[0]) ? 11 : 9) else { continue }
            switch fields[0] {
            case "pub":
                close()
                primary = nil
                found = false
                usable = fields[11].contains("S") && !["r", "e", "d", "i"].contains(fields[1])
                signs = fields[11].contains("s")
            case "sub":
                signs = fields[11].contains("s") && !["r", "e", "d", "i"].contains(fields[1])
            case "fpr" where primary == nil:
                primary = fields[9]
            case "grp":
                if signs, hasSecret(fields[9]) { found = true }
                signs = false
            default: break
            }
        }
        close()
        return keys
    }
}
