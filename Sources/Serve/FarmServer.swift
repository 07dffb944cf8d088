import Farm
import FarmModel
import Foundation
import Hummingbird
import HummingbirdCore
import Workers

/// `farmctl serve`: the farm's pages, their JSON under `/api/`, each class's binhost and `/metrics`; read-only.
public struct FarmServer: Sendable {
    let farm: Farm
    /// Connections served at once; more wait in the listen backlog.
    let maxConnections: Int

    public init(farm: Farm, maxConnections: Int = 64) {
        self.farm = farm
        self.maxConnections = maxConnections
    }

    /// Serves on `host:port` until SIGTERM or SIGINT; `listening` receives the bound port (for port 0) once it listens.
    public func run(host: String, port: Int, listening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "farmctl",
                                 availableConnectionsDelegate: MaximumAvailableConnections(maxConnections)),
            onServerRunning: { channel in await listening(channel.localAddress?.port ?? port) })
        try await application.runService()
    }

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        let farm = self.farm
        pages(router, farm)
        api(router, farm)
        binhost(router, farm)
        router.get("/metrics") { _, _ in
            let text = try await Self.read { try FarmMetrics.render(farm) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        return router
    }

    /// The HTML pages.
    private func pages(_ router: Router<BasicRequestContext>, _ farm: Farm) {
        router.get("/") { _, _ in
            // A farm that has never built has no store yet: its page is empty, not an error.
            Self.html(try await Self.read { FarmPages.farm(generations: (try? farm.listGenerations(class: nil)) ?? [], runs: (try? farm.runs(limit: 20)) ?? []) })
        }
        router.get("/runs/:id") { _, context in
            let id = try Self.number(context, "id")
            return Self.html(try await Self.read {
                guard let (report, builds) = try Self.found({ try farm.run(id: id) }) ?? nil else { throw HTTPError(.notFound) }
                let status = try? farm.status()
                return FarmPages.run(report, builds: builds, live: status?.progress?.run == id ? status?.progress : nil)
            })
        }
        router.get("/classes/:class") { request, context in
            let name = try Self.knownClass(context, farm)
            let from = request.uri.queryParameters.get("from", as: Int.self), to = request.uri.queryParameters.get("to", as: Int.self)
            return Self.html(try await Self.read {
                let generations = try farm.listGenerations(class: name)
                let diff = try from.flatMap { from in try to.map { try farm.diffGenerations(class: name, from, $0) } }
                return FarmPages.nodeClass(name, generations: generations, diff: diff,
                                           builds: Array(((try? farm.buildHistory(class: name)) ?? []).prefix(50)))
            })
        }
        router.get("/classes/:class/:generation") { _, context in
            let name = try Self.knownClass(context, farm)
            let number = try Self.number(context, "generation")
            return Self.html(try await Self.read {
                guard let (record, packages) = try Self.found({ try farm.rootPackages(class: name, generation: Int(number)) }) else { throw HTTPError(.notFound) }
                let current = try farm.listGenerations(class: name).first { $0.current }?.number == record.number
                return FarmPages.generation(record, packages: packages, nodes: (try? farm.nodes()) ?? [], current: current)
            })
        }
        router.get("/builds/:id") { _, context in
            let id = try Self.number(context, "id")
            return Self.html(try await Self.read {
                guard let build = try Self.found({ try farm.build(named: "\(id)") }) else { throw HTTPError(.notFound) }
                let log = BuildLog.confined(build.logPath, logs: farm.settings.logs.path).map { BuildLog.tail($0) } ?? "(no log)"
                return FarmPages.build(BuildListing(build), running: build.status == .running, logTail: log)
            })
        }
        router.get("/builds/:id/log") { _, context in
            let id = try Self.number(context, "id")
            let path = try await Self.read { try Self.logPath(farm, id) }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: try await FileIO().loadFile(path: path, context: context))
        }
        router.get("/builds/:id/log/stream") { _, context in
            let id = try Self.number(context, "id")
            let path = try await Self.read { try Self.logPath(farm, id) }
            let body = BuildLog.stream(path: path) {
                let build = try farm.build(named: "\(id)")
                return build.status == .running ? nil : build.status.rawValue
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
        router.get("/workers") { _, _ in
            Self.html(try await Self.read {
                var counts: [String: (total: Int, failed: Int)] = [:]
                for build in (try? farm.buildHistory(class: nil)) ?? [] {
                    counts[build.worker, default: (0, 0)].total += 1
                    if build.status == .failed { counts[build.worker, default: (0, 0)].failed += 1 }
                }
                return FarmPages.workers(farm.settings.workers, checks: Self.redacted(farm.lastWorkerChecks(), farm), builds: counts)
            })
        }
        router.get("/nodes") { _, _ in Self.html(try await Self.read { FarmPages.nodes((try? farm.nodes()) ?? []) }) }
    }

    /// The same facts as JSON, with the CLI's `--json` field names.
    private func api(_ router: Router<BasicRequestContext>, _ farm: Farm) {
        router.get("/api/status") { _, _ in try Self.json(try await Self.read { try farm.status() }) }
        router.get("/api/roots") { _, _ in try Self.json(try await Self.read { try farm.listGenerations(class: nil) }) }
        router.get("/api/roots/:class") { _, context in
            let name = try Self.knownClass(context, farm)
            return try Self.json(try await Self.read { try farm.listGenerations(class: name) })
        }
        router.get("/api/roots/:class/:generation") { _, context in
            let name = try Self.knownClass(context, farm)
            let number = try Self.number(context, "generation")
            return try Self.json(try await Self.read {
                guard let (_, packages) = try Self.found({ try farm.rootPackages(class: name, generation: Int(number)) }) else { throw HTTPError(.notFound) }
                return packages
            })
        }
        router.get("/api/roots/:class/diff/:from/:to") { _, context in
            let name = try Self.knownClass(context, farm)
            let from = Int(try Self.number(context, "from")), to = Int(try Self.number(context, "to"))
            return try Self.json(try await Self.read {
                guard let diff = try Self.found({ try farm.diffGenerations(class: name, from, to) }) else { throw HTTPError(.notFound) }
                return diff
            })
        }
        router.get("/api/runs") { _, _ in try Self.json(try await Self.read { try farm.runs(limit: 50) }) }
        router.get("/api/runs/:id") { _, context in
            let id = try Self.number(context, "id")
            return try Self.json(try await Self.read {
                guard let (report, builds) = try Self.found({ try farm.run(id: id) }) ?? nil else { throw HTTPError(.notFound) }
                return RunDetail(run: report, builds: builds.map(BuildListing.init))
            })
        }
        router.get("/api/builds") { request, _ in
            let name = request.uri.queryParameters.get("class")
            return try Self.json(try await Self.read { try farm.buildHistory(class: name).prefix(500).map(BuildListing.init) })
        }
        router.get("/api/builds/:id") { _, context in
            let id = try Self.number(context, "id")
            return try Self.json(try await Self.read {
                guard let build = try Self.found({ try farm.build(named: "\(id)") }) else { throw HTTPError(.notFound) }
                return BuildListing(build)
            })
        }
        router.get("/api/workers") { _, _ in try Self.json(try await Self.read { Self.redacted(farm.lastWorkerChecks(), farm) }) }
        router.get("/api/nodes") { _, _ in try Self.json(try await Self.read { try farm.nodes() }) }
    }

    /// Each class's binhost: its PKGDIR's index and binpkgs, its binrepos.conf and, when signed, the public key.
    private func binhost(_ router: Router<BasicRequestContext>, _ farm: Farm) {
        router.get("/binhost/:class/binrepos.conf") { request, context in
            let name = try context.parameters.require("class")
            guard let nodeClass = ClassName(name), let binhost = try await Self.read({ farm.binhost(nodeClass) }) else {
                throw HTTPError(.notFound)
            }
            let base = "http://\(request.head.authority ?? "127.0.0.1")/binhost/\(nodeClass)"
            return Self.text(BinhostClient.binreposConf(class: nodeClass, base: base, signedBy: binhost.signingKey?.fingerprint))
        }
        router.get("/binhost/:class/signing-key.asc") { _, context in
            let name = try context.parameters.require("class")
            guard let nodeClass = ClassName(name), let key = try await Self.read({ farm.binhost(nodeClass)?.signingKey }) else {
                throw HTTPError(.notFound)
            }
            return Response(status: .ok, headers: [.contentType: "application/pgp-keys"],
                            body: .init(byteBuffer: ByteBuffer(string: try await Self.read { try String(contentsOf: key.publicKey, encoding: .utf8) })))
        }
        router.get("/binhost/:class/**") { request, context in
            let name = try context.parameters.require("class")
            guard let nodeClass = ClassName(name) else { throw HTTPError(.notFound) }
            let prefix = "/binhost/\(name)/"
            guard request.uri.path.hasPrefix(prefix) else { throw HTTPError(.notFound) }
            let pkgdir = farm.settings.packagesDirectory(for: nodeClass).path
            guard let file = BinhostPath.resolve(String(request.uri.path.dropFirst(prefix.count)), in: pkgdir) else { throw HTTPError(.notFound) }
            let body = try await FileIO().loadFile(path: file, context: context)
            return Response(status: .ok, headers: [.contentType: "application/octet-stream"], body: body)
        }
    }

    /// A run and its builds, as `/api/runs/ID` gives it.
    struct RunDetail: Encodable {
        var run: RunReport
        var builds: [BuildListing]
    }

    /// A path parameter that must be a positive number; anything else is not found.
    static func number(_ context: BasicRequestContext, _ name: String) throws -> Int64 {
        guard let text = context.parameters.get(name), text.count <= 18, let value = Int64(text), value > 0 else { throw HTTPError(.notFound) }
        return value
    }

    /// A path parameter naming a class of the farm; anything else is not found.
    static func knownClass(_ context: BasicRequestContext, _ farm: Farm) throws -> String {
        guard let name = context.parameters.get("class"), ClassName(name) != nil,
              FileManager.default.fileExists(atPath: farm.settings.profiles.appendingPathComponent(name).path) else { throw HTTPError(.notFound) }
        return name
    }

    /// The value, or nil when the query says the thing does not exist (a farm error); other errors are thrown.
    static func found<T>(_ body: () throws -> T) throws -> T? {
        do { return try body() } catch let error as FarmError { _ = error; return nil }
    }

    /// A build's log path, confined to the farm's logs directory.
    static func logPath(_ farm: Farm, _ id: Int64) throws -> String {
        guard let build = try found({ try farm.build(named: "\(id)") }),
              let path = BuildLog.confined(build.logPath, logs: farm.settings.logs.path) else { throw HTTPError(.notFound) }
        return path
    }

    /// Worker checks with the workers' identity and known_hosts paths blanked out of their text.
    static func redacted(_ checks: [WorkerCheck], _ farm: Farm) -> [WorkerCheck] {
        let secrets = farm.settings.workers.flatMap { [$0.identity?.path, $0.knownHosts?.path] }.compactMap { $0 }
        return checks.map { check in
            var check = check
            check.problems = check.problems.map { problem in secrets.reduce(problem) { $0.replacingOccurrences(of: $1, with: "(key file)") } }
            return check
        }
    }

    /// Runs a blocking store or file read on a thread of its own, never on the cooperative pool.
    static func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await onOwnThread(named: "farmctl-serve-read", body)
    }

    static func text(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// JSON as the CLI's `--json` prints it: snake_case keys, ISO 8601 dates, sorted keys.
    static func json<T: Encodable>(_ value: T) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try Farm.jsonEncoder().encode(value))))
    }
}
