import Foundation
import Synchronization
import Testing
import TestSupport
import Workers

/// `farmctl serve` on a built example farm: the real binary on a loopback port, started and stopped by PID.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct ServeEndToEndTests {
    /// A running `farmctl serve --listen 127.0.0.1:0` and the port it reported.
    final class Server: @unchecked Sendable {
        let process = Process()
        let port: Int
        let output = Pipe()

        init(config: String) throws {
            process.executableURL = URL(fileURLWithPath: Fixtures.farmctl)
            process.arguments = ["serve", "--listen", "127.0.0.1:0", "--config", config]
            process.standardOutput = output
            process.standardError = output
            try process.run()
            // Its line "serving DIR at http://127.0.0.1:PORT/" (after the server's own log line), read on a thread
            // of its own and waited for at most 60 s: a server that hangs before listening fails the test, not the suite.
            let seen = Mutex(Data())
            let ready = DispatchSemaphore(value: 0)
            let reader = output.fileHandleForReading
            Thread.detachNewThread {
                while true {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    let text = seen.withLock { $0.append(chunk); return String(decoding: $0, as: UTF8.self) }
                    if text.contains(" at http://"), text.hasSuffix("/\n") { break }
                }
                ready.signal()
            }
            _ = ready.wait(timeout: .now() + 60)
            let text = seen.withLock { String(decoding: $0, as: UTF8.self) }
            guard let range = text.range(of: " at http://127.0.0.1:"), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) else {
                process.terminate()
                throw POSIXError(.EBADMSG)
            }
            self.port = port
        }

        /// SIGTERM by PID; true when it ended by itself within 10 s.
        func stop() -> Bool {
            guard process.isRunning else { return true }
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<100 where process.isRunning { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL); return false }
            return true
        }
    }

    @Test func aBuiltFarmIsServedReadOnlyAndHostileRequestsFindNothing() async throws {
        // Given the example farm with PIII built
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let config = farm.config.path
        let built = try await onOwnThread { try ExampleFarm.launch(Fixtures.farmctl, ["build", "--plain", "--config", config, "PIII"]) }
        try #require(built.status == 0, "\(built.output)")
        // When `farmctl serve` runs on it
        let server = try await onOwnThread { try Server(config: config) }
        var stopped = false
        defer { if !stopped { _ = server.stop() } }
        let port = server.port

        // Then the farm page shows PIII's current generation
        let page = try await RawHTTP.get(port: port, "/")
        #expect(page.status == 200 && page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(page.text.contains("<td><a href=\"/classes/PIII\">PIII</a></td><td><a href=\"/classes/PIII/1\">1</a></td>"), "\(page.text)")
        // and /api/roots is what `farmctl roots list --json` prints
        let api = try await RawHTTP.get(port: port, "/api/roots")
        let (status, cli) = try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, ["roots", "list", "--json", "--config", config]) }
        #expect(status == 0)
        let decodedAPI = try JSONSerialization.jsonObject(with: api.body) as? [[String: Any]]
        let decodedCLI = try JSONSerialization.jsonObject(with: Data(cli.utf8)) as? [[String: Any]]
        #expect(decodedAPI.map { $0.map { Set($0.keys) } } == decodedCLI.map { $0.map { Set($0.keys) } })
        #expect(decodedAPI?.first?["class"] as? String == "PIII" && decodedAPI?.first?["current"] as? Bool == true)
        // and every page of the run, the class, the generation, a build, the workers and the nodes is served, each
        // with its rows, and its JSON has the field names of the CLI's --json
        try await pagesAndTheirJSONMatchTheCLI(port: port, config: config)

        // and /metrics has the generation's age and the binpkgs, in Prometheus' text format
        let metrics = try await RawHTTP.get(port: port, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text.contains("farmctl_generation_age_seconds{class=\"PIII\"}"), "\(metrics.text)")
        #expect(metrics.text.contains("farmctl_binpkgs{class=\"PIII\"} 9.0\n"), "\(metrics.text)")
        #expect(metrics.text.contains("# TYPE farmctl_build_duration_seconds histogram"))
        #expect(PrometheusText.problems(metrics.text).isEmpty, "\(PrometheusText.problems(metrics.text))")
        #expect(metrics.text.contains("farmctl_binpkg_cache_hit_ratio{class=\"PIII\"} 0.0\n") && metrics.text.contains("farmctl_run_active 0.0\n"), "\(metrics.text)")
        #expect(!PrometheusText.problems("farmctl_x 1\n# TYPE farmctl_x gauge\nfarmctl_y{a=b} 2\n").isEmpty)   // the checker does refuse
        // and the binhost serves the PKGDIR's index and each binpkg byte for byte
        let index = try await RawHTTP.get(port: port, "/binhost/PIII/Packages")
        let indexOnDisk = try Data(contentsOf: farm.url("var/packages/PIII/Packages"))
        #expect(index.status == 200 && index.body == indexOnDisk)
        let entries = index.text.components(separatedBy: "\n\n").compactMap { block in
            block.split(separator: "\n").first { $0.hasPrefix("PATH: ") }.map { String($0.dropFirst(6)) }
        }
        #expect(entries.count == 9, "\(index.text)")
        for path in entries {
            let binpkg = try await RawHTTP.get(port: port, "/binhost/PIII/\(path)")
            let onDisk = try Data(contentsOf: farm.url("var/packages/PIII/\(path)"))
            #expect(binpkg.status == 200 && binpkg.body == onDisk, "\(path)")
        }
        let repos = try await RawHTTP.get(port: port, "/binhost/PIII/binrepos.conf")
        #expect(repos.text.contains("sync-uri = http://127.0.0.1:\(port)/binhost/PIII"), "\(repos.text)")

        // When hostile requests come: traversal plain and encoded, absolute paths, another class, the store,
        // the identity keys, methods that write
        let secret = farm.url("var/farm.sqlite").path
        let hostile = Self.hostilePaths(secret: secret)
        // Then none of them is served (404, or 400 for what is not HTTP), and the server keeps serving
        for path in hostile {
            let reply = try await RawHTTP.get(port: port, path)
            #expect([400, 404].contains(reply.status), "\(path): \(reply.status)")
            #expect(!reply.text.contains("SQLite format") && !reply.text.contains("root:x:0"), "\(path)")
        }
        for method in ["POST", "PUT", "DELETE"] {
            let reply = try await onOwnThread { try RawHTTP.exchange(port: port, request: "\(method) /binhost/PIII/Packages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi") }
            #expect([404, 405].contains(reply.status), "\(method): \(reply.status)")
        }
        #expect(try Data(contentsOf: farm.url("var/packages/PIII/Packages")) == index.body)
        #expect(try await RawHTTP.get(port: port, "/").status == 200)
        // and no page names an SSH identity
        for path in ["/", "/api/roots", "/api/runs", "/metrics", "/workers", "/api/workers", "/runs/1", "/builds/1"] {
            #expect(!(try await RawHTTP.get(port: port, path).text.contains("identity")), "\(path)")
        }
        // When it is stopped by its PID, Then it ends by itself
        stopped = true
        #expect(server.stop())
    }

    /// The pages of a farm with PIII built once (run 1, generation 1), and their JSON against the CLI's.
    func pagesAndTheirJSONMatchTheCLI(port: Int, config: String) async throws {
        func cli(_ arguments: [String]) async throws -> Any? {
            let (status, output) = try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, arguments + ["--json", "--config", config]) }
            #expect(status == 0 || arguments.first == "workers", "\(arguments): \(output)")
            return try? JSONSerialization.jsonObject(with: Data(output.utf8))
        }
        func keys(_ value: Any?) -> Set<String> {
            if let list = value as? [[String: Any]] { return list.reduce(into: Set<String>()) { $0.formUnion($1.keys) } }
            return Set((value as? [String: Any])?.keys.map { $0 } ?? [])
        }
        func api(_ path: String) async throws -> Any? {
            let reply = try await RawHTTP.get(port: port, path)
            #expect(reply.status == 200 && reply.headers["content-type"] == "application/json", "\(path): \(reply.status)")
            return try JSONSerialization.jsonObject(with: reply.body)
        }
        _ = try await cli(["workers", "check"])   // the last check, which the workers page shows
        let cpuinfo = Fixtures.testdata("cpuinfo/x86-32_intel-pentium3-coppermine-866_github-masscan-112.txt").path
        let added = try await onOwnThread { try ExampleFarm.run(Fixtures.farmctl, ["nodes", "add", "node01", "--mac", "00:16:3e:00:00:01", "--cpuinfo", cpuinfo, "--config", config]) }
        #expect(added.0 == 0, "\(added.1)")
        for (path, arguments) in [("/api/builds", ["query", "builds"]), ("/api/roots/PIII", ["roots", "list", "PIII"]),
                                  ("/api/roots/PIII/1", ["query", "root", "PIII"]), ("/api/nodes", ["nodes", "list"]),
                                  ("/api/workers", ["workers", "check"]), ("/api/status", ["status"])] {
            let ours = try await api(path), theirs = try await cli(arguments)
            #expect(keys(ours) == keys(theirs) && !keys(ours).isEmpty, "\(path): \(keys(ours)) vs \(keys(theirs))")
        }
        // (run 1 is the only run: its builds are every build, 9 packages and, from a new venv, the build-only tool)
        let allBuilds = try #require(try await api("/api/builds") as? [[String: Any]])
        let run = try #require(try await api("/api/runs/1") as? [String: Any])
        #expect(Set(run.keys) == ["run", "builds"] && (run["builds"] as? [Any])?.count == allBuilds.count && allBuilds.count >= 9)
        // The pages: the run with its classes, workers and builds; the class with its generation and a diff form; the
        // generation with its binpkgs; a build with its log; the workers with the last check; the nodes
        let runPage = try await RawHTTP.get(port: port, "/runs/1")
        #expect(runPage.status == 200 && runPage.text.contains("<a href=\"/classes/PIII/1\">published 1</a>"), "\(runPage.text)")
        #expect(runPage.text.contains("id=\"workers\"") && runPage.text.components(separatedBy: "<a href=\"/builds/").count == allBuilds.count + 1)
        let classPage = try await RawHTTP.get(port: port, "/classes/PIII?from=1&to=1")
        #expect(classPage.status == 200 && classPage.text.contains("<td>current</td>") && classPage.text.contains("no package, kernel or stage differs"))
        let generation = try await RawHTTP.get(port: port, "/classes/PIII/1")
        #expect(generation.status == 200 && generation.text.contains("app-misc/fhsum-1.0") && generation.text.contains("-march=pentium3"))
        let fhsum = try #require(allBuilds.first { ($0["cpv"] as? String)?.hasPrefix("app-misc/fhsum") == true }?["id"] as? Int)
        let buildPage = try await RawHTTP.get(port: port, "/builds/\(fhsum)")
        #expect(buildPage.status == 200 && buildPage.text.contains("app-misc/fhsum-1.0") && buildPage.text.contains(">succeeded<"))
        let log = try await RawHTTP.get(port: port, "/builds/\(fhsum)/log")
        #expect(log.status == 200 && log.text.contains(">>> Emerging") || log.text.contains("fhsum"), "\(log.text.prefix(300))")
        // and the log stream of a finished build sends the whole log, then its end with the build's status
        let stream = try await RawHTTP.get(port: port, "/builds/\(fhsum)/log/stream")
        #expect(stream.headers["content-type"] == "text/event-stream" && stream.text.hasSuffix("event: end\ndata: succeeded\n\n"), "\(stream.text.suffix(200))")
        #expect(stream.text.components(separatedBy: "\ndata: ").count >= log.text.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
        let workers = try await RawHTTP.get(port: port, "/workers")
        #expect(workers.status == 200 && workers.text.contains("<td>local</td>") && workers.text.contains("ok ("))
        let nodes = try await RawHTTP.get(port: port, "/nodes")
        #expect(nodes.status == 200 && nodes.text.contains("<td>00:16:3e:00:00:01</td>") && nodes.text.contains("pentium3"), "\(nodes.text)")
        let again = try await RawHTTP.get(port: port, "/classes/PIII/1")
        #expect(again.text.contains("id=\"nodes\"") && again.text.contains("<td>node01</td>"), "\(again.text)")
    }

    /// Requests no server of the farm may answer with a file: traversal plain and encoded, absolute paths (`secret`
    /// is the store's), another class, the identity keys, bad ids.
    static func hostilePaths(secret: String) -> [String] {
        [
            "/binhost/PIII/../../farm.sqlite", "/binhost/PIII/%2e%2e/%2e%2e/farm.sqlite", "/binhost/PIII/..%2f..%2ffarm.sqlite",
            "/binhost/PIII/%252e%252e/farm.sqlite", "/binhost/PIII/\(secret)", "/binhost/PIII//etc/passwd", "/binhost/..%2fPIII/Packages",
            "/binhost/PIII/app-misc/../../../workers.conf", "/binhost/NoSuchClass/Packages", "/binhost/%2e%2e/Packages",
            "/binhost/PIII/Packages%00", "/binhost/PIII/Packages/..", "/binhost/PIII/.", "/binhost/PIII/",
            "/../../etc/passwd", "/api/../../etc/passwd", "/api/roots/../../../etc/passwd", "/logs/../farm.sqlite",
            "/binhost/PIII/app-misc", "/binhost/PIII/app-misc/fhsum", "/binhost/PIII/app-misc/fhsum/fhsum-1.0.ebuild",
            "/binhost/AthlonXP/Packages", "/binhost/PIII/..\\..\\farm.sqlite", "/binhost/PIII/%5c..%5cfarm.sqlite",
            "/binhost/PIII/" + String(repeating: "a/", count: 2000) + "x.xpak", "/%00", "/metrics/../../etc/passwd",
            "/binhost/PIII/farm.sqlite?x=../Packages", "/binhost/PIII/.ssh/id_ed25519", "/binhost/PIII/~/.ssh/id_rsa",
            "/builds/0", "/builds/-1", "/builds/99999999999999999999999", "/builds/1/log/../../../farm.sqlite", "/builds/..%2f..%2fworkers.conf",
            "/classes/..%2f..%2fvar", "/classes/NoSuchClass", "/classes/PIII/0", "/classes/PIII/x", "/runs/abc", "/api/runs/0",
            "/api/roots/PIII/diff/1/99", "/api/builds/1e3", "/binhost/PIII/signing-key.asc/..", "/binhost/AthlonXP/signing-key.asc",
        ]
    }
}
