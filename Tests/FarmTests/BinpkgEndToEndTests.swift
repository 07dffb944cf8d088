import Binpkg
import FarmModel
import Foundation
import Store
import Synchronization
import Workers
import Testing
import TestSupport
@testable import Farm

/// The binpkg capabilities on binpkgs the real Portage writes: gpkg and xpak, several BINPKG_COMPRESS values,
/// compared key for key with Portage's own reader; the index farmctl writes used by emerge; a foreign binpkg
/// in a class PKGDIR quarantined and rebuilt; damage found by `binpkg verify`; a PKGDIR adopted by `import`.
extension EndToEndTests {
    /// Portage's own reading of binpkgs (scripts/portage-read-binpkg.py in the venv).
    func portageReads(_ files: [String]) throws -> [String: [String: Any]] {
        let python = Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/python").path
        let script = Fixtures.repositoryRoot.appendingPathComponent("scripts/portage-read-binpkg.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + files
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: Any]])
    }

    func farmctlJSON(_ arguments: [String]) throws -> (Int32, [String: Any]) {
        let (status, output) = try ExampleFarm.run(farmctl, arguments)
        let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        return (status, try #require(object, Comment(rawValue: output)))
    }

    @Test func binpkgsPortageWritesInBothFormatsAreReadVerifiedQuarantinedAndAdopted() async throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        // Given PIII writing gpkg with xz and AthlonXP writing xpak with bzip2
        try farm.append(to: "profiles/PIII/make.conf", "BINPKG_FORMAT=\"gpkg\"\nBINPKG_COMPRESS=\"xz\"\n")
        try farm.append(to: "profiles/AthlonXP/make.conf", "BINPKG_COMPRESS=\"bzip2\"\n")
        // When both are built
        let first = try await build(farm)
        #expect(outcome(first, "PIII") == .published(generation: 1))
        #expect(outcome(first, "AthlonXP") == .published(generation: 1))

        // Then `binpkg inspect` agrees key for key with Portage's reader on every binpkg Portage wrote
        let piii = farm.url("var/packages/PIII"), athlon = farm.url("var/packages/AthlonXP")
        let files = (BinpkgFile.files(in: piii).map { piii.appendingPathComponent($0.relativePath).path }
                     + BinpkgFile.files(in: athlon).map { athlon.appendingPathComponent($0.relativePath).path })
        #expect(files.filter { $0.hasSuffix(".gpkg.tar") }.count == 9 && files.filter { $0.hasSuffix(".xpak") }.count == 9)
        let portage = try portageReads(files)
        for file in files {
            let (status, ours) = try farmctlJSON(["binpkg", "inspect", "--json", file])
            let theirs = try #require(portage[file])
            #expect(status == 0 && ours["verified"] as? Bool == true, "\(file)")
            #expect(ours["format"] as? String == theirs["format"] as? String)
            #expect(ours["compression"] as? String == (file.hasSuffix(".gpkg.tar") ? "xz" : "bzip2"), "\(file)")
            let ourMetadata = try #require(ours["metadata"] as? [String: String])
            let theirMetadata = try #require(theirs["metadata"] as? [String: String])
            let binary = Set(theirs["binary"] as? [String] ?? [])
            #expect(Set(ourMetadata.keys) == Set(theirMetadata.keys).union(binary), "\(file)")
            for (key, value) in theirMetadata { #expect(ourMetadata[key] == value, "\(file) \(key)") }
            #expect((ours["compat_key"] as? String)?.hasPrefix("ck1-") == true)
        }

        // And an index farmctl writes from scratch is used by emerge as it is (not re-read, not rewritten)
        try FileManager.default.removeItem(at: piii.appendingPathComponent("Packages"))
        #expect(try ExampleFarm.run(farmctl, ["binpkg", "index", piii.path]).0 == 0)
        let written = try Data(contentsOf: piii.appendingPathComponent("Packages"))
        let loaded = try Farm.load(configPath: farm.config.path)
        let profile = try #require(try loaded.profiles(named: ["PIII"]).first)
        let worker = loaded.settings.coordinator
        var workspace = ClassWorkspace(profile: profile, settings: loaded.settings, worker: worker,
                                       repositories: try loaded.repositories(), emerge: ExampleFarm.emerge)
        workspace.sign(with: try SigningKey.open(loaded.settings))   // the client trusts the farm's key (its trust home)
        let resolved = try await Assembler(settings: loaded.settings, transport: LocalTransport(), store: try loaded.openStore(),
                                           events: { _ in }).resolveBinpkgs(workspace)
        #expect(resolved.count == 9 && resolved.allSatisfy { $0.path.hasSuffix(".gpkg.tar") })
        #expect(try Data(contentsOf: piii.appendingPathComponent("Packages")) == written)

        // And a binhost client served that PKGDIR over HTTP (loopback) fetches and installs the whole set
        let server = try BinhostServer(directory: piii)
        defer { server.stop() }
        let client = try Fixtures.temporaryDirectory("binhost-client")
        defer { try? FileManager.default.removeItem(at: client) }
        var environment = workspace.tree.environment(root: client.appendingPathComponent("root").path)
        environment["PKGDIR"] = client.appendingPathComponent("packages").path
        environment["PORTAGE_BINHOST"] = "http://127.0.0.1:\(server.port)"
        let fetch = try await LocalTransport().run(Command(ExampleFarm.emerge, [
            "--getbinpkgonly", "--with-bdeps=n", "--color=n", "--nospinner", "--quiet=y", "app-misc/farm-node-meta",
        ], environment: environment, personality: .linux32))
        #expect(fetch.termination.succeeded, "\(fetch.tail.joined(separator: "\n"))")
        #expect(try RootTree.installedPackages(client.appendingPathComponent("root")).count == 9)

        // Given AthlonXP's fhsum dropped into PIII's PKGDIR in place of PIII's own (a shared PKGDIR)
        let own = try #require(BinpkgFile.files(in: piii).first { $0.relativePath.hasPrefix("app-misc/fhsum/") })
        let foreign = try #require(BinpkgFile.files(in: athlon).first { $0.relativePath.hasPrefix("app-misc/fhsum/") })
        try FileManager.default.removeItem(at: piii.appendingPathComponent(own.relativePath))
        try FileManager.default.copyItem(at: athlon.appendingPathComponent(foreign.relativePath),
                                         to: piii.appendingPathComponent(foreign.relativePath))
        // When PIII is built again
        let warned = Mutex<[String]>([])
        let second = try await loaded.build(classes: ["PIII"], verbose: false) { event in
            if case .warning(let text) = event { warned.withLock { $0.append(text) } }
        }
        let warnings = warned.withLock { $0 }
        // Then the athlon-xp binpkg is quarantined with its reason, fhsum rebuilt, and the new root is PIII's own
        #expect(outcome(second, "PIII") == .published(generation: 2))
        #expect(warnings.contains { $0.contains("fhsum") && $0.contains("-march=athlon-xp") })
        let store = try loaded.openStore()
        #expect(try store.quarantined(class: ClassName("PIII")).map(\.kind) == ["incompatible"])
        #expect(try store.pendingRebuilds(class: ClassName("PIII")!).isEmpty)
        let (_, packages) = try loaded.rootPackages(class: "PIII", generation: nil)
        for package in packages {
            let build = try #require(try loaded.buildHistory(class: "PIII").first { $0.id == package.buildId })
            #expect(build.cflags?.contains("-march=pentium3") == true, "\(package.cpv)")
        }

        // Given a damaged AthlonXP binpkg (one byte of its payload flipped)
        let victim = try #require(BinpkgFile.files(in: athlon).first { $0.relativePath.hasPrefix("app-misc/cpubench/") })
        let victimURL = athlon.appendingPathComponent(victim.relativePath)
        var bytes = try Data(contentsOf: victimURL)
        bytes[100] ^= 0xFF
        try bytes.write(to: victimURL)
        // When verified, then it is named, moved aside, and the command fails
        let (status, report) = try ExampleFarm.run(farmctl, ["binpkg", "verify", "--config", farm.config.path])
        #expect(status == 1)
        #expect(report.contains("DAMAGED \(victim.relativePath)"), "\(report)")
        #expect(!FileManager.default.fileExists(atPath: victimURL.path))
        // And the next build rebuilds it
        let third = try await build(farm, ["AthlonXP"])
        #expect(outcome(third, "AthlonXP") == .published(generation: 2))
        #expect(try loaded.buildHistory(class: "AthlonXP").filter { $0.cpv.hasPrefix("app-misc/cpubench") && $0.status == .succeeded }.count == 2)

        // Given a second farm, When it adopts the first farm's PIII PKGDIR
        let other = try ExampleFarm()
        defer { other.remove() }
        try other.append(to: "profiles/PIII/make.conf", "BINPKG_FORMAT=\"gpkg\"\nBINPKG_COMPRESS=\"xz\"\n")
        // (with its own signing key, the first farm's signed binpkgs are refused, each with the reason)
        let (foreignStatus, refusedReport) = try ExampleFarm.run(farmctl, ["binpkg", "import", piii.path, "--class", "PIII", "--config", other.config.path])
        #expect(foreignStatus != 0 && refusedReport.contains("9 refused") && refusedReport.contains("signed by a key that is not the farm's"), "\(refusedReport)")
        // (with the first farm's key, as when a farm moves to a new coordinator, they are adopted)
        other.stopSigningAgent()
        try FileManager.default.removeItem(at: other.signingHome)
        try FileManager.default.copyItem(at: farm.signingHome, to: other.signingHome)
        let (importStatus, imported) = try ExampleFarm.run(farmctl, ["binpkg", "import", piii.path, "--class", "PIII", "--config", other.config.path])
        #expect(importStatus == 0, "\(imported)")
        #expect(imported.contains("9 binpkgs imported"), "\(imported)")
        // Then building it builds nothing and publishes a root from the adopted binpkgs
        let adopted = try await build(other, ["PIII"])
        #expect(outcome(adopted, "PIII") == .published(generation: 1))
        #expect(adopted.classes.first?.built == 0)
        let otherFarm = try Farm.load(configPath: other.config.path)
        #expect(try otherFarm.buildHistory(class: "PIII").allSatisfy { $0.origin == "imported" })
        // And the AthlonXP PKGDIR is refused for PIII, each binpkg with the reason
        let (refusedStatus, refused) = try ExampleFarm.run(farmctl, ["binpkg", "import", athlon.path, "--class", "PIII", "--config", other.config.path])
        #expect(refusedStatus == 1 && refused.contains("0 binpkgs imported") && refused.contains("-march=athlon-xp"), "\(refused)")
    }
}

/// `python3 -m http.server`-like server for a PKGDIR on 127.0.0.1 (a free port), stopped by PID.
struct BinhostServer {
    let process = Process()
    let port: Int

    init(directory: URL) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", """
            import functools, http.server, sys
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            print(server.server_address[1], flush=True)
            server.serve_forever()
            """, directory.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        port = try #require(Int(String(decoding: line, as: UTF8.self)))
    }

    /// Kills the server by PID and waits (up to 5 s) until Foundation has seen it exit.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
    }
}
