import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct FarmSettingsTests {
    static let fullExample = """
        [farm]
        state = "var"
        database = "var/farm.sqlite"
        distfiles = "/srv/distfiles"
        packages = "var/packages"
        roots = "var/roots"
        logs = "var/logs"
        profiles = "profiles"
        repositories = ["repo", "/srv/overlay"]
        mirrors = ["mirror"]

        [worker.local]
        host = "localhost"
        jobs = 2
        arches = ["amd64", "x86"]
        workdir = "var/work/local"
        speed = 1.5
        emerge = "/usr/bin/emerge"

        [worker.builder2]
        host = "builder2.lan"
        jobs = 8
        arches = ["x86"]
        workdir = "/var/tmp/farm"
        port = 2222
        user = "farm"
        identity = "keys/id_ed25519"
        known_hosts = "keys/known_hosts"
        """

    static let minimalWorker = """
        [worker.local]
        host = "localhost"
        jobs = 1
        arches = ["amd64"]
        workdir = "work"
        """

    @Test func loadsEveryKeyWithResolvedPaths() throws {
        // Given a workers.conf setting every key, with a local and a remote worker
        try withFiles(["workers.conf": Self.fullExample, "keys/id_ed25519": "key", "keys/known_hosts": ""]) { dir in
            // When loaded
            let settings = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf"))
            // Then relative paths resolve against the file's directory and absolute ones stay
            let base = dir.standardizedFileURL.path
            #expect(settings.database.path == base + "/var/farm.sqlite")
            #expect(settings.distfiles.path == "/srv/distfiles")
            #expect(settings.packagesDirectory(for: ClassName("PIII")!).path == base + "/var/packages/PIII")
            #expect(settings.rootsDirectory(for: ClassName("PIII")!).path == base + "/var/roots/PIII")
            #expect(settings.repositories.map(\.path) == [base + "/repo", "/srv/overlay"])
            #expect(settings.mirrors.map(\.path) == [base + "/mirror"])
            // And the workers keep their fields in file order
            #expect(settings.workers.map(\.name) == ["local", "builder2"])
            let local = settings.workers[0]
            #expect(local.isLocal && local.jobs == 2 && local.arches == [.amd64, .x86] && local.speed == 1.5)
            #expect(local.workdir.path == base + "/var/work/local")
            #expect(local.emerge == .configured("/usr/bin/emerge"))
            let remote = settings.workers[1]
            #expect(!remote.isLocal && remote.port == 2222 && remote.user == "farm" && remote.speed == 1)
            #expect(remote.identity?.path == base + "/keys/id_ed25519")
            #expect(remote.knownHosts?.path == base + "/keys/known_hosts")
            #expect(remote.location.line == 20)
        }
    }

    @Test func aMissingKeyFileLoadsButRefusesTheWorkerNamingItsLine() throws {
        // Given an SSH worker whose identity file does not exist
        let text = "[worker.w1]\nhost = \"b.lan\"\njobs = 1\narches = [\"x86\"]\nworkdir = \"/w\"\nidentity = \"nokey\"\n"
        try withFiles(["workers.conf": text]) { dir in
            // When loaded, Then the file loads (queries need no keys)
            let worker = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf")).workers[0]
            // And using the worker is refused, naming file, line and key, with a fix
            expectConfigError(.invalidValue, file: "workers.conf", line: 6, "`identity` in [worker.w1] names ", "ssh-keygen -t ed25519") {
                try worker.checkKeyFiles()
            }
        }
    }

    @Test func aChrootPerArchIsReadForAnSSHWorker() throws {
        // Given an SSH worker that builds x86 inside a chroot
        let text = "[worker.old]\nhost = \"127.0.0.9\"\njobs = 1\narches = [\"amd64\", \"x86\"]\nworkdir = \"/var/tmp/farm\"\n"
            + "[worker.old.chroot]\nx86 = \"/srv/i686\"\n"
        try withFiles(["workers.conf": text]) { dir in
            // When loaded
            let worker = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf")).workers[0]
            // Then x86 has the chroot and amd64 none
            #expect(worker.chroot == [.x86: "/srv/i686"])
            #expect(!worker.isLocal)
        }
    }

    @Test func theMergerIsFarmctlsUnlessEmergeIsNamedAndAnythingElseIsRefusedWithItsLine() throws {
        // Given workers.conf files without a merger, with "emerge", and with an unknown one
        try withFiles(["a/workers.conf": Self.minimalWorker, "b/workers.conf": "[farm]\nmerger = \"emerge\"\n\n" + Self.minimalWorker,
                       "c/workers.conf": "[farm]\nstate = \"var\"\nmerger = \"portage\"\n\n" + Self.minimalWorker]) { dir in
            // When loaded, Then the default is farmctl's own, "emerge" is Portage's
            let plain = try FarmSettings.load(from: dir.appendingPathComponent("a/workers.conf"))
            let emerge = try FarmSettings.load(from: dir.appendingPathComponent("b/workers.conf"))
            #expect(plain.merger == .farmctl && emerge.merger == .emerge)
            // and an unknown one names file, line and the two choices
            #expect { try FarmSettings.load(from: dir.appendingPathComponent("c/workers.conf")) } throws: { error in
                let text = "\(error)", fix = (error as? any UserFacingError)?.fix ?? ""
                return text.contains("workers.conf:3") && text.contains("portage") && fix.contains("merger = \"farmctl\"") && fix.contains("\"emerge\"")
            }
        }
    }

    @Test func defaultsDeriveFromState() throws {
        // Given a workers.conf whose [farm] only moves `state`
        try withFiles(["conf/workers.conf": "[farm]\nstate = \"/srv/farm\"\n\n" + Self.minimalWorker]) { dir in
            // When loaded
            let settings = try FarmSettings.load(from: dir.appendingPathComponent("conf/workers.conf"))
            // Then the state-based defaults follow it and the others stay beside the file
            let base = dir.standardizedFileURL.path + "/conf"
            #expect(settings.database.path == "/srv/farm/farm.sqlite")
            #expect(settings.distfiles.path == "/srv/farm/distfiles")
            #expect(settings.logs.path == "/srv/farm/logs")
            #expect(settings.profiles.path == base + "/profiles")
            #expect(settings.repositories.map(\.path) == [base + "/repo"])
            #expect(settings.workers[0].speed == 1)
        }
    }

    @Test func emergeDefaultsToTheVenvBesideTheFileWhenPresent() throws {
        // Given one directory with .venv/bin/emerge and one without
        try withFiles(["workers.conf": Self.minimalWorker, ".venv/bin/emerge": "#!/bin/sh\n"]) { dir in
            // When loaded
            let settings = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf"))
            // Then the venv is used
            #expect(settings.workers[0].emerge.command == dir.standardizedFileURL.path + "/.venv/bin/emerge")
        }
        try withFiles(["workers.conf": Self.minimalWorker]) { dir in
            let settings = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf"))
            // Then without one, `emerge` on PATH is used
            #expect(settings.workers[0].emerge == .onPath)
        }
    }

    @Test func missingFileNamesThePathAndSuggestsConfigOption() throws {
        // Given a directory without workers.conf
        try withFiles([:]) { dir in
            // When loading it
            // Then the error names the path and suggests --config
            expectConfigError(.fileNotFound, file: "workers.conf", line: nil, "file not found", "--config") {
                _ = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf"))
            }
        }
    }

    static func worker(_ lines: String) -> String { "[worker.w1]\n" + lines }
    static let w1 = "host = \"localhost\"\njobs = 1\narches = [\"x86\"]\nworkdir = \"w\"\n"
    static let remote = "host = \"b.lan\"\njobs = 1\narches = [\"x86\"]\nworkdir = \"/w\"\n"

    @Test(arguments: [
        ("[farm]\ndistfile = \"d\"\n" + minimalWorker, ConfigError.Kind.unknownKey, 2, "unknown key `distfile` in [farm]", "did you mean `distfiles`?"),
        ("[farms]\n" + minimalWorker, .unknownKey, 1, "unknown table `farms`", "did you mean `farm`?"),
        (worker(w1 + "job = 2\n"), .unknownKey, 6, "unknown key `job` in [worker.w1]", "did you mean `jobs`?"),
        (worker(w1 + "colour = 2\n"), .unknownKey, 6, "unknown key `colour`", "known keys: host, jobs"),
        (worker("host = \"localhost\"\njobs = \"2\"\narches = [\"x86\"]\nworkdir = \"w\""), .wrongType, 3, "`jobs` in [worker.w1] must be an integer, found string \"2\"", "jobs"),
        (worker("host = \"localhost\"\njobs = 2\narches = \"x86\"\nworkdir = \"w\""), .wrongType, 4, "must be an array of strings", "arches"),
        (worker("host = \"localhost\"\narches = [\"x86\"]\nworkdir = \"w\""), .missingKey, 1, "[worker.w1] is missing the required key `jobs`", "add `jobs = ...`"),
        (worker("jobs = 1\narches = [\"x86\"]\nworkdir = \"w\""), .missingKey, 1, "missing the required key `host`", "host"),
        ("[farm]\nstate = \"v\"\n", .missingKey, nil, "no workers are defined", "[worker.local]"),
        ("[worker]\n", .missingKey, nil, "no workers are defined", "[worker.local]"),
        (worker(w1) + "\n[worker.w1]\n" + w1, .duplicate, 7, "table [worker.w1] is defined twice (first at line 1)", "rename"),
        (worker(w1) + "\n[worker.W1]\n" + w1, .duplicate, 7, "worker `W1` has the same name as `w1`", "distinct name"),
        (worker("host = \"localhost\"\njobs = 0\narches = [\"x86\"]\nworkdir = \"w\""), .invalidValue, 3, "must be at least 1", "jobs = 1"),
        (worker("host = \"localhost\"\njobs = 1\narches = [\"amd64\",\n  \"i686\"]\nworkdir = \"w\""), .invalidValue, 5, "unknown arch `i686`", "known arches: amd64, x86"),
        (worker("host = \"localhost\"\njobs = 1\narches = [\"amd46\"]\nworkdir = \"w\""), .invalidValue, 4, "unknown arch `amd46`", "did you mean `amd64`?"),
        (worker("host = \"localhost\"\njobs = 1\narches = []\nworkdir = \"w\""), .invalidValue, 4, "`arches` in [worker.w1] is empty", "amd64, x86"),
        (worker(w1 + "speed = 0\n"), .invalidValue, 6, "`speed` in [worker.w1] must be greater than 0", "speed"),
        (worker("host = \"b.lan\"\njobs = 1\narches = [\"x86\"]\nworkdir = \"w\""), .invalidValue, 5, "must be an absolute path on the remote host b.lan", "workdir"),
        (worker(w1 + "port = 70000\n"), .invalidValue, 6, "between 1 and 65535", "port"),
        (worker(w1 + "host2 = 1\n"), .unknownKey, 6, "unknown key `host2`", "did you mean `host`?"),
        ("[farm]\nrepositories = []\n" + minimalWorker, .invalidValue, 2, "`repositories` in [farm] is empty", "main ebuild repository"),
        ("[farm]\nmirrors = [\"a\", 3]\n" + minimalWorker, .wrongType, 2, "must hold non-empty strings, found integer 3", "mirrors"),
        ("farm = 3\n" + minimalWorker, .wrongType, 1, "`farm` must be a table", "[farm]"),
        ("[worker.\"a b\"]\n" + w1, .invalidValue, 1, "worker name `a b`", "[worker.NAME]"),
        (worker(w1 + "user = \"farm\"\n"), .invalidValue, 6, "`user` in [worker.w1] applies only to SSH workers, and host is localhost", "remove `user`"),
        (worker(remote) + "[worker.w1.chroot]\namd64 = \"/srv/c\"\n", .unknownKey, 7, "unknown arch `amd64` in [worker.w1.chroot]", "known archs: x86"),
        (worker(w1) + "[worker.w1.chroot]\nx86 = \"/srv/c\"\n", .invalidValue, 6, "`chroot` in [worker.w1] applies only to SSH workers", "remove `chroot`"),
        (worker(remote) + "[worker.w1.chroot]\nx86 = \"srv/c\"\n", .invalidValue, 7, "`x86` in [worker.w1.chroot] must be an absolute path on the worker", "/srv/chroot/x86"),
    ] as [(String, ConfigError.Kind, Int?, String, String)])
    func reportsValidationErrorsWithFileLineAndKey(text: String, kind: ConfigError.Kind, line: Int?, problem: String, fix: String) throws {
        // Given an invalid workers.conf
        try withFiles(["workers.conf": text]) { dir in
            // When loaded
            // Then the error names file, line and key, and says what to do
            expectConfigError(kind, file: "workers.conf", line: line, problem, fix) {
                _ = try FarmSettings.load(from: dir.appendingPathComponent("workers.conf"))
            }
        }
    }
}
