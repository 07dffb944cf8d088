import Foundation

/// A private copy of the repository's example farm, so a test can build, break and inspect it freely.
public struct ExampleFarm {
    /// The copy's top directory (holds workers.conf).
    public let directory: URL
    /// Its workers.conf.
    public var config: URL { directory.appendingPathComponent("workers.conf") }

    /// The Portage from `make bootstrap`, shared by every copy.
    public static var emerge: String {
        Fixtures.repositoryRoot.appendingPathComponent(".venv/bin/emerge").path
    }

    /// True when `make bootstrap` has installed Portage (integration tests need it).
    public static var portageInstalled: Bool { FileManager.default.isExecutableFile(atPath: emerge) }

    /// The kernel source the example classes name (Debian's linux-source); copies use the kbuild fixture instead.
    public static let realKernelSource = "/usr/src/linux-source-6.1.tar.xz"

    /// Where the example classes' `[base] stage` points, relative to the farm.
    public static let stagePath = "var/stages/example-i386.tar.zst"
    /// The services the example classes start; the fixture stage has a script for each but `local` (farmctl's).
    public static let stageServices = ["kmod"]

    /// Copies workers.conf, profiles/, repo/, mirror/, kernel/ and overlays/ into a new temp directory, using the
    /// shared venv's emerge. The classes' kernel source becomes a copy of the kbuild fixture (`kernel-tree/`), which
    /// answers kbuild's commands in well under a second; the real source is built by `make test-kernel`. The seed
    /// stage is a small fixture (`StageFixture`); `make test` also builds with the real one (RealStageTests).
    /// PIII builds in chroot mode in the example farm; here it builds on the host unless `chrootBuilds` (a build root
    /// needs the real stage: ChrootBuildTests).
    public init(chrootBuilds: Bool = false) throws {
        directory = try Fixtures.temporaryDirectory("farm")
        for item in ["workers.conf", "profiles", "repo", "mirror", "kernel", "overlays"] {
            try FileManager.default.copyItem(at: Fixtures.repositoryRoot.appendingPathComponent(item),
                                              to: directory.appendingPathComponent(item))
        }
        try FileManager.default.copyItem(at: Fixtures.kbuildTree, to: directory.appendingPathComponent("kernel-tree"))
        try append(to: "workers.conf", "emerge = \"\(Self.emerge)\"\n")
        for name in ["PIII", "AthlonXP"] {
            try replace(in: "profiles/\(name)/class.toml", "source = \"\(Self.realKernelSource)\"", with: "source = \"../../kernel-tree\"")
        }
        if !chrootBuilds { try replace(in: "profiles/PIII/class.toml", "mode = \"chroot\"", with: "mode = \"host\"") }
        try makeStage()
        try makeSigningKey()
    }

    /// The copy's `signing_key` home (`var/gnupg`, as in the example workers.conf).
    public var signingHome: URL { url("var/gnupg") }

    /// Makes the farm's signing key in `var/gnupg` as `farmctl binpkg keygen` does (gpg directly: no farmctl binary
    /// needed here), and stops the agent gpg started for it.
    func makeSigningKey() throws {
        try FileManager.default.createDirectory(at: signingHome, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let made = try Self.launch("/usr/bin/gpg", ["--homedir", signingHome.path, "--batch", "--no-tty", "--pinentry-mode", "loopback",
                                                    "--passphrase", "", "--quick-gen-key", "farmctl test farm <root@localhost>", "ed25519", "sign", "never"])
        stopSigningAgent()
        guard made.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "gpg could not make the test farm key: \(made.output)"]) }
    }

    /// Stops the gpg-agent of the copy's signing home, if one runs (its socket is in the home).
    public func stopSigningAgent() {
        _ = try? Self.launch("/usr/bin/gpgconf", ["--homedir", signingHome.path, "--kill", "gpg-agent"])
    }

    /// (Re)writes the fixture stage the classes start from; `marker` goes into its `/etc/stage-release`.
    public func makeStage(marker: String = "stage 1", packages: [String] = [],
                          extra: (URL) throws -> Void = { _ in }) throws {
        let tree = directory.appendingPathComponent("stage-tree")
        try? FileManager.default.removeItem(at: tree)
        try StageFixture.makeDirectory(tree, services: Self.stageServices, packages: packages, marker: marker)
        try extra(tree)
        try StageFixture.pack(tree, to: url(Self.stagePath))
        try FileManager.default.removeItem(at: tree)
    }

    /// A file of the copy.
    public func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// Reads a text file of the copy.
    public func read(_ relative: String) throws -> String { try String(contentsOf: url(relative), encoding: .utf8) }

    /// Replaces a text file of the copy.
    public func write(_ relative: String, _ text: String) throws {
        try text.write(to: url(relative), atomically: true, encoding: .utf8)
    }

    /// Appends text to a file of the copy.
    public func append(to relative: String, _ text: String) throws {
        try write(relative, try read(relative) + text)
    }

    /// The number of the first line of a file of the copy that contains `text` (0: none), for messages naming it.
    public func line(of text: String, in relative: String) throws -> Int {
        let lines = try read(relative).split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(text) } ?? -1) + 1
    }

    /// Replaces `old` with `new` in a file of the copy; fails if `old` is absent.
    public func replace(in relative: String, _ old: String, with new: String) throws {
        let text = try read(relative)
        guard text.contains(old) else { throw CocoaError(.fileReadCorruptFile) }
        try write(relative, text.replacingOccurrences(of: old, with: new))
    }

    /// Runs a program and returns its exit status (or the signal that killed it) and combined output.
    public static func run(_ program: String, _ arguments: [String], in directory: URL? = nil) throws -> (Int32, String) {
        let ended = try launch(program, arguments, in: directory)
        return (ended.signal ?? ended.status, ended.output)
    }

    /// How a program ended: its exit status, or the signal that killed it, and its combined output.
    public struct Ended: Sendable {
        public var status: Int32
        public var signal: Int32?
        public var output: String
    }

    /// Runs a program with extra environment variables; reports a death by signal apart from an exit status.
    public static func launch(_ program: String, _ arguments: [String], environment: [String: String] = [:],
                              in directory: URL? = nil) throws -> Ended {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let signaled = process.terminationReason == .uncaughtSignal
        return Ended(status: signaled ? -1 : process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
                     output: String(decoding: data, as: UTF8.self))
    }

    /// Removes the copy.
    public func remove() {
        stopSigningAgent()
        try? FileManager.default.removeItem(at: directory)
    }
}
