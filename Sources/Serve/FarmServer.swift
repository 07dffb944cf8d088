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
        router.get("/") { _, _ in
            let (generations, runs) = try await Self.read { (try farm.listGenerations(class: nil), try farm.runs(limit: 20)) }
            return Self.html(FarmPages.farm(generations: generations, runs: runs))
        }
        router.get("/api/roots") { _, _ in try Self.json(try await Self.read { try farm.listGenerations(class: nil) }) }
        router.get("/api/runs") { _, _ in try Self.json(try await Self.read { try farm.runs(limit: 50) }) }
        router.get("/metrics") { _, _ in
            let text = try await Self.read { try FarmMetrics.render(farm) }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/binhost/:class/binrepos.conf") { request, context in
            let name = try context.parameters.require("class")
            let known = try await Self.read { (try? farm.profiles(named: [name])) != nil }
            guard let nodeClass = ClassName(name), known else { throw HTTPError(.notFound) }
            let base = "http://\(request.head.authority ?? "127.0.0.1")/binhost/\(nodeClass)"
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "[farmctl-\(nodeClass)]\npriority = 10\nsync-uri = \(base)\n")))
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
        return router
    }

    /// Runs a blocking store or file read on a thread of its own, never on the cooperative pool.
    static func read<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await onOwnThread(named: "farmctl-serve-read", body)
    }

    static func html(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// JSON as the CLI's `--json` prints it: snake_case keys, ISO 8601 dates, sorted keys.
    static func json<T: Encodable>(_ value: T) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try Farm.jsonEncoder().encode(value))))
    }
}
