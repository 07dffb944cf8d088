import ArgumentParser
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct BinpkgCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "binpkg",
            abstract: "Inspect, verify, index and adopt binary packages (xpak and gpkg); make the farm's signing key.",
            subcommands: [Inspect.self, Verify.self, Index.self, Import.self, Keygen.self])
    }
}

extension Farmctl.BinpkgCommand {
    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the farm's binpkg signing key in the GnuPG home `[farm] signing_key` names.",
            discussion: "Does nothing when the home already holds a signing key. The key has no passphrase (nightly builds sign unattended): keep the home readable by farmctl's user only. gpkg classes' binpkgs are then signed, and `farmctl serve` offers the public key at /binhost/CLASS/signing-key.asc.")
        @OptionGroup var options: FarmOptions
        @Option(help: "The key's user ID.") var name = "farmctl binpkg signing <root@localhost>"

        func run() async throws {
            let farm = try options.loadFarm()
            let (key, created) = try reportingErrors(exitCode: 2) { try SigningKey.create(farm.settings, userID: name) }
            print(created ? "created signing key \(key.fingerprint) in \(key.home.path)" : "signing key \(key.fingerprint) in \(key.home.path) (already there)")
            print("public key: \(key.publicKey.path)")
        }
    }

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Format, metadata, files, compatibility key and verification of one binpkg.")
        @Argument(help: "A binpkg file (.tbz2, .xpak, .gpkg.tar).") var file: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let inspection = try reportingErrors(exitCode: 2) { try BinpkgInspection.inspect(path: file) }
            if json { return try printJSON(InspectJSON(inspection)) }
            print("\(inspection.path): \(inspection.format), \(inspection.compression) payload, \(inspection.entries) image entries (\(inspection.files) file\(inspection.files == 1 ? "" : "s"))")
            print("compatibility key: \(inspection.compatKey)")
            for line in inspection.compatibility.canonicalText.split(separator: "\n") { print("  \(line)") }
            if !inspection.signatures.isEmpty { print("signatures (present, not checked): \(inspection.signatures.joined(separator: ", "))") }
            print(inspection.verified ? "verified: ok" : "verified: FAILED")
            for problem in inspection.problems { print("  \(problem)") }
            print("metadata:")
            for key in inspection.metadata.keys.sorted() {
                let value = inspection.metadata[key]!
                let shown = value.count > 200 ? String(value.prefix(200)) + "… (\(value.utf8.count) bytes)" : value
                print("  \(key): \(shown.replacingOccurrences(of: "\n", with: "\n    "))")
            }
            if !inspection.verified { throw ExitCode(1) }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check binpkgs against their index entry and their own Manifest; quarantine damaged ones.",
            discussion: "Without PKGDIR, every class PKGDIR of the farm. A damaged binpkg in a class PKGDIR is moved to <state>/quarantine/<CLASS> and recorded; the next `farmctl build` rebuilds it.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "A PKGDIR (default: every class's).") var pkgdir: String?

        func run() async throws {
            let farm = try options.loadFarm()
            let reports = try reportingErrors(exitCode: 2) { try farm.verifyBinpkgs(pkgdir: pkgdir) }
            var damaged = 0
            for report in reports {
                let owner = report.nodeClass.map { "class \($0)" } ?? "not a class PKGDIR: reported only"
                print("\(report.pkgdir) (\(owner)): \(report.checked) binpkgs, \(report.damaged.count) damaged")
                for item in report.damaged {
                    print("  DAMAGED \(item.relativePath): \(item.problems.joined(separator: "; "))")
                    if let to = item.quarantinedTo { print("    moved to \(to); the next build rebuilds it") }
                }
                for path in report.missing { print("  missing \(path): listed in Packages, not on disk") }
                damaged += report.damaged.count
            }
            if damaged > 0 { throw ExitCode(1) }
        }
    }

    struct Index: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Regenerate a PKGDIR's Packages index (only changed binpkgs are re-read).")
        @Argument(help: "The PKGDIR.") var pkgdir: String

        func run() async throws {
            let scan = try reportingErrors(exitCode: 2) { try Farm.regenerateIndex(pkgdir: pkgdir) }
            print("\(pkgdir)/Packages: \(scan.index.packages.count) packages (\(scan.read) read, \(scan.kept) unchanged, \(scan.removed) removed)\(scan.written ? "" : ", index already current")")
            for invalid in scan.invalid { print("  skipped \(invalid.problem)") }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Adopt an existing PKGDIR's binpkgs into a class and its provenance.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "The PKGDIR to adopt.") var pkgdir: String
        @Option(name: .customLong("class"), help: "The node class the binpkgs are for.") var nodeClass: String

        func run() async throws {
            let farm = try options.loadFarm()
            let report = try await reportingErrors(exitCode: 2) { try await farm.importBinpkgs(from: pkgdir, class: nodeClass) }
            print("\(nodeClass): \(report.imported.count) binpkgs imported, \(report.known.count) already known, \(report.refused.count) refused")
            for cpv in report.imported { print("  imported \(cpv)") }
            for item in report.refused { print("  refused \(item.path): \(item.reason)") }
            if !report.refused.isEmpty { throw ExitCode(1) }
        }
    }
}

/// `binpkg inspect --json`.
struct InspectJSON: Encodable {
    var path: String
    var format: String
    var compression: String
    var metadata: [String: String]
    var entries: Int
    var files: Int
    var compat_key: String
    var compatibility: [String: String]
    var signatures: [String]
    var verified: Bool
    var problems: [String]

    init(_ inspection: BinpkgInspection) {
        path = inspection.path
        format = inspection.format
        compression = inspection.compression
        metadata = inspection.metadata
        entries = inspection.entries
        files = inspection.files
        compat_key = inspection.compatKey
        let key = inspection.compatibility
        compatibility = ["CHOST": key.chost, "CFLAGS": key.cflags, "CXXFLAGS": key.cxxflags, "LDFLAGS": key.ldflags,
                         "USE": key.use.joined(separator: " "), "CPU_FLAGS_X86": key.cpuFlagsX86.joined(separator: " "),
                         "FEATURES": key.features.joined(separator: " "), "SUBSLOTS": key.subslots.joined(separator: " ")]
        signatures = inspection.signatures
        verified = inspection.verified
        problems = inspection.problems
    }
}
