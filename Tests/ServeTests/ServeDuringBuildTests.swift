import Foundation
import Synchronization
import Testing
import TestSupport
import Workers

/// Debian's headless browser and HTTP load generator, as `make bootstrap` installs them.
enum BrowserTools {
    static let chromium = "/usr/bin/chromium"
    static let wrk = "/usr/bin/wrk"
    static var installed: Bool { [chromium, wrk].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }
}

/// `farmctl serve` while a real build runs: headless Chromium loads the live pages (the run, a build's log following
/// over Server-Sent Events) and the finished ones, wrk keeps a bounded load on the pages, hostile requests come in, and
/// the build is unaffected. Screenshots and wrk's report go to `.build/test-artefacts/serve-during-build/`.
@Suite(.serialized, .enabled(if: ExampleFarm.portageInstalled && BrowserTools.installed, "run `make bootstrap` first (chromium, wrk)"))
struct ServeDuringBuildTests {
    static let chromium = BrowserTools.chromium
    static let wrk = BrowserTools.wrk
    static let artefacts = Fixtures.repositoryRoot.appendingPathComponent(".build/test-artefacts/serve-during-build")

    /// A package whose build takes `seconds`, printing a line each second (added to the farm copy's repository).
    static func addSlowPackage(to farm: ExampleFarm, seconds: Int) throws {
        let directory = farm.url("repo/app-misc/slowpoke")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try """
            EAPI=8
            DESCRIPTION="A package whose build takes a while (farmctl's serve tests)"
            HOMEPAGE="https://farm.invalid/"
            LICENSE="MIT"
            SLOT="0"
            KEYWORDS="amd64 x86"
            S="${WORKDIR}"
            src_compile() {
            \tlocal i
            \tfor i in $(seq 1 \(seconds)); do echo "slowpoke: step ${i}"; sleep 1; done
            }
            src_install() {
            \tinsinto /usr/share/slowpoke
            \techo done > "${T}"/done || die
            \tdoins "${T}"/done
            }

            """.write(to: directory.appendingPathComponent("slowpoke-1.ebuild"), atomically: true, encoding: .utf8)
        try farm.append(to: "profiles/PIII/packages", "app-misc/slowpoke\n")
    }

    /// What headless Chromium made of a page: its exit statuses, whether the screenshot was written, the DOM.
    struct Browsed: Sendable {
        var screenshot: Bool
        var dom: String
        var failures: String
    }

    /// Headless Chromium on `path` of the server: a screenshot named `shot` and the DOM, each after the page loaded
    /// and at most 3 s of it (`--timeout`: a page following a log over SSE never stops loading).
    static func browse(port: Int, _ path: String, shot: String) throws -> Browsed {
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let profile = try Fixtures.temporaryDirectory("chromium")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = ["120", chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                      "--user-data-dir=\(profile.path)", "--timeout=3000", "--window-size=1280,900"]
        let url = "http://127.0.0.1:\(port)\(path)"
        let shotFile = artefacts.appendingPathComponent("\(shot).png")
        try? FileManager.default.removeItem(at: shotFile)
        let shotRun = try ExampleFarm.launch("/usr/bin/timeout", common + ["--screenshot=\(shotFile.path)", url])
        let dom = try ExampleFarm.launch("/usr/bin/timeout", common + ["--dump-dom", url])
        let failures: String = [shotRun, dom].filter { $0.status != 0 }.map { ended -> String in "exit \(ended.status): \(ended.output.suffix(400))" }
            .joined(separator: "\n")
        return Browsed(screenshot: FileManager.default.fileExists(atPath: shotFile.path), dom: dom.status == 0 ? dom.output : String(), failures: failures)
    }

    /// wrk for `seconds` on 8 connections, cycling through `paths`; its report (or how it failed), also kept as an artefact.
    static func load(port: Int, paths: [String], seconds: Int) throws -> String {
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let script = artefacts.appendingPathComponent("paths.lua")
        try """
            paths = { \(paths.map { "\"\($0)\"" }.joined(separator: ", ")) }
            i = 0
            request = function()
              i = i + 1
              return wrk.format("GET", paths[(i % #paths) + 1])
            end

            """.write(to: script, atomically: true, encoding: .utf8)
        let run = try ExampleFarm.launch("/usr/bin/timeout", ["\(seconds + 60)", wrk, "-t2", "-c8", "-d\(seconds)s", "--timeout", "10s", "--latency",
                                                             "-s", script.path, "http://127.0.0.1:\(port)"])
        try run.output.write(to: artefacts.appendingPathComponent("wrk.txt"), atomically: true, encoding: .utf8)
        return run.status == 0 ? run.output : "wrk ended with \(run.status): \(run.output)"
    }

    @Test func thePagesServeALiveBuildUnderLoadAndInABrowserWithoutDisturbingIt() async throws {
        // Given the example farm with a package whose build takes 40 s, and `farmctl serve` on it before any build
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try Self.addSlowPackage(to: farm, seconds: 40)
        let config = farm.config.path
        let server = try await onOwnThread { try ServeEndToEndTests.Server(config: config) }
        defer { _ = server.stop() }
        let port = server.port
        #expect(try await RawHTTP.get(port: port, "/").text.contains("no class has a generation yet"))

        // When PIII builds
        let build = Process()
        build.executableURL = URL(fileURLWithPath: Fixtures.farmctl)
        build.arguments = ["build", "--plain", "--config", config, "PIII"]
        let output = Pipe()
        build.standardOutput = output
        build.standardError = output
        try build.run()
        let buildOutput = Mutex(Data())
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            buildOutput.withLock { $0 = data }
            drained.signal()
        }
        defer { if build.isRunning { kill(build.processIdentifier, SIGTERM) } }

        // and the slow package is being built (the status names it), Then the run and its running build are found
        var found = 0, slowFound = 0
        for _ in 0..<600 where slowFound == 0 {
            let status = try JSONSerialization.jsonObject(with: try await RawHTTP.get(port: port, "/api/status").body) as? [String: Any]
            let progress = status?["progress"] as? [String: Any]
            found = progress?["run"] as? Int ?? 0
            if ((progress?["running"] as? [[String: Any]]) ?? []).contains(where: { ($0["job"] as? String)?.contains("slowpoke") == true }) {
                let builds = try JSONSerialization.jsonObject(with: try await RawHTTP.get(port: port, "/api/builds?class=PIII").body) as? [[String: Any]]
                slowFound = builds?.first { ($0["cpv"] as? String)?.hasPrefix("app-misc/slowpoke") == true && $0["status"] as? String == "running" }?["id"] as? Int ?? 0
            }
            if slowFound == 0 { try await Task.sleep(for: .milliseconds(500)) }
        }
        try #require(found > 0 && slowFound > 0 && build.isRunning, "the slow build was not seen running")
        let run = found, slow = slowFound

        // When wrk loads the pages for 8 s while a browser opens the live run page and the build's page, and hostile
        // requests come in
        let paths = ["/", "/api/status", "/runs/\(run)", "/builds/\(slow)", "/api/runs/\(run)", "/metrics", "/workers", "/classes/PIII"]
        async let report = onOwnThread { try Self.load(port: port, paths: paths, seconds: 8) }
        let runPage = try await onOwnThread { try Self.browse(port: port, "/runs/\(run)", shot: "run-live") }
        let buildPage = try await onOwnThread { try Self.browse(port: port, "/builds/\(slow)", shot: "build-live") }
        let runDOM = runPage.dom, buildDOM = buildPage.dom
        #expect(runPage.screenshot && buildPage.screenshot && runPage.failures.isEmpty && buildPage.failures.isEmpty, "\(runPage.failures) \(buildPage.failures)")
        for path in ServeEndToEndTests.hostilePaths(secret: farm.url("var/farm.sqlite").path) {
            let reply = try await RawHTTP.get(port: port, path)
            #expect([400, 404].contains(reply.status), "\(path): \(reply.status)")
        }
        let wrkReport = try await report
        // Then the live run page lists the slow package among the running builds, and the build page follows its log
        #expect(runDOM.contains("id=\"running\"") && runDOM.contains("slowpoke"), "\(runDOM)")
        // (its script ran: it emptied the server-rendered tail to fill it from the event stream)
        #expect(buildDOM.contains("<td>running</td>") && buildDOM.contains("<pre id=\"log\"") && buildDOM.contains("new EventSource('/builds/\(slow)/log/stream')"), "\(buildDOM)")
        // and the event stream sends the build's lines as it writes them: after every line the log had a moment
        // ago, lines the build wrote since
        let logged = try await RawHTTP.get(port: port, "/builds/\(slow)/log").text
        let lines = logged.split(separator: "\n").count
        let streamed = try await RawHTTP.events(port: port, "/builds/\(slow)/log/stream", count: lines + 2)
        #expect(streamed.count >= lines + 2, "\(lines) lines, then \(streamed.count) events: \(streamed.suffix(5))")
        // and under load every request was answered with success: no socket error, no non-2xx response
        #expect(wrkReport.contains("Requests/sec:") && !wrkReport.contains("Socket errors") && !wrkReport.contains("Non-2xx"), "\(wrkReport)")
        print("serve under load during a build (wrk -t2 -c8 -d8s over \(paths.count) pages):\n\(wrkReport)")

        // And the build is unaffected: it publishes PIII's first generation with the slow package
        let ended = await withCheckedContinuation { continuation in
            Thread.detachNewThread { build.waitUntilExit(); drained.wait(); continuation.resume(returning: build.terminationStatus) }
        }
        let text = buildOutput.withLock { String(decoding: $0, as: UTF8.self) }
        #expect(ended == 0, "\(text)")
        let roots = try JSONSerialization.jsonObject(with: try await RawHTTP.get(port: port, "/api/roots/PIII/1").body) as? [[String: Any]]
        #expect(roots?.contains { ($0["cpv"] as? String) == "app-misc/slowpoke-1" } == true, "\(String(describing: roots))")

        // When the browser opens the pages after the build, Then they show the class, the generation and the build
        var after: [Browsed] = []
        for (path, shot) in [("/", "farm"), ("/classes/PIII/1", "generation"), ("/builds/\(slow)", "build"), ("/classes/PIII", "class"), ("/runs/\(run)", "run")] {
            after.append(try await onOwnThread { try Self.browse(port: port, path, shot: shot) })
        }
        #expect(after.allSatisfy { $0.screenshot && $0.failures.isEmpty }, "\(after.map(\.failures))")
        let farmDOM = after[0].dom, generationDOM = after[1].dom, finishedDOM = after[2].dom, classDOM = after[3].dom
        #expect(farmDOM.contains("<a href=\"/classes/PIII\">PIII</a>") && farmDOM.contains("<a href=\"/classes/PIII/1\">1</a>"), "\(farmDOM)")
        #expect(generationDOM.contains("app-misc/slowpoke-1") && generationDOM.contains("<a href=\"/builds/\(slow)\">\(slow)</a>"), "\(generationDOM)")
        #expect(finishedDOM.contains("<td>succeeded</td>") && finishedDOM.contains("slowpoke: step 40"), "\(finishedDOM)")
        #expect(classDOM.contains("id=\"generations\"") && classDOM.contains("<td>current</td>"))
        #expect(server.process.isRunning)
    }
}
