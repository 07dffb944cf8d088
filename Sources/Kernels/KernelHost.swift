import FarmModel
import Foundation
import Workers

/// The host a kernel is built on, as `KernelBuilder` sees it: commands, files under its cache, and how the
/// coordinator's inputs (source, base config, fragments, modules) get there. The coordinator itself
/// (`LocalKernelHost`) and an SSH worker (`RemoteKernelHost`) implement it alike.
public protocol KernelHost: Sendable {
    /// A short name for messages and lock names (`localhost`, `user@host`).
    var endpoint: String { get }
    /// Runs `command` there, its output appended to the coordinator file `logPath`.
    func run(_ command: Command, logPath: String?) async throws -> CommandResult
    /// Runs `command` there and returns its standard output.
    func capture(_ command: Command) async throws -> (CommandResult, String)
    /// The file's bytes, or nil when it does not exist.
    func read(_ path: String) async throws -> Data?
    /// Writes `data` to `path` (parents created) so that a reader sees the old or the new content, never a part.
    func write(_ data: Data, to path: String) async throws
    /// True when something exists at `path`.
    func exists(_ path: String) async throws -> Bool
    /// A stamp that changes when the file at `path` is rewritten (its modification time); nil when absent.
    func stamp(_ path: String) async throws -> String?
    /// The names in a directory (empty when it does not exist).
    func list(_ directory: String) async throws -> [String]
    /// Creates `path` and its parents.
    func makeDirectory(_ path: String) async throws
    /// Removes `path` and everything under it; nothing when it is absent.
    func remove(_ path: String) async throws
    /// Copies a file or tree on the host, keeping modes.
    func copy(_ path: String, to destination: String) async throws
    /// Renames on the host.
    func move(_ path: String, to destination: String) async throws
    /// Copies a coordinator file, or a directory's content, to `path` on the host (replacing what is there).
    func put(_ localPath: String, to path: String) async throws
    /// Copies a host file to the coordinator file `localPath` (verified, renamed into place).
    func fetch(_ path: String, to localPath: String) async throws
}

extension KernelHost {
    /// `read` as UTF-8 text.
    func text(_ path: String) async throws -> String? {
        try await read(path).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// The coordinator: plain file calls and local processes.
public struct LocalKernelHost: KernelHost {
    let transport = LocalTransport()
    public init() {}

    public var endpoint: String { transport.endpoint }
    public func run(_ command: Command, logPath: String?) async throws -> CommandResult {
        try await transport.run(command, logPath: logPath, onLine: { _ in })
    }
    public func capture(_ command: Command) async throws -> (CommandResult, String) {
        try await transport.capture(command, limit: 1 << 20)
    }
    public func read(_ path: String) async throws -> Data? { FileManager.default.contents(atPath: path) }
    public func write(_ data: Data, to path: String) async throws {
        try makeParent(path)
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
    public func exists(_ path: String) async throws -> Bool { FileManager.default.fileExists(atPath: path) }
    public func stamp(_ path: String) async throws -> String? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date).map { "\($0.timeIntervalSince1970)" }
    }
    public func list(_ directory: String) async throws -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    }
    public func makeDirectory(_ path: String) async throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    public func remove(_ path: String) async throws {
        guard (try? FileManager.default.attributesOfItem(atPath: path)) != nil else { return }
        try FileManager.default.removeItem(atPath: path)
    }
    public func copy(_ path: String, to destination: String) async throws {
        try makeParent(destination)
        try FileManager.default.copyItem(atPath: path, toPath: destination)
    }
    public func move(_ path: String, to destination: String) async throws {
        try FileManager.default.moveItem(atPath: path, toPath: destination)
    }
    public func put(_ localPath: String, to path: String) async throws {
        try await remove(path)
        try await copy(localPath, to: path)
    }

    public func fetch(_ path: String, to localPath: String) async throws {
        try await put(path, to: localPath)
    }

    private func makeParent(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    }
}

/// An SSH worker: each file call is one short shell command over the worker's transport; inputs travel as
/// verified uploads (a directory as one tar file, unpacked there).
public struct RemoteKernelHost: KernelHost {
    let transport: any WorkerTransport
    /// PATH for commands on the worker (its login environment is not trusted to have one).
    let searchPath: String
    /// A coordinator directory for the tar files of directories on their way to the worker.
    let scratch: String

    public init(transport: any WorkerTransport, searchPath: String, scratch: String) {
        self.transport = transport
        self.searchPath = searchPath
        self.scratch = scratch
    }

    public var endpoint: String { transport.endpoint }

    public func run(_ command: Command, logPath: String?) async throws -> CommandResult {
        try await transport.run(withPath(command), logPath: logPath, onLine: { _ in })
    }
    public func capture(_ command: Command) async throws -> (CommandResult, String) {
        try await transport.capture(withPath(command), limit: 16 << 20)
    }
    public func read(_ path: String) async throws -> Data? {
        let output = try await transport.shell("if [ -f \(q(path)) ]; then echo y; cat -- \(q(path)); else echo n; fi")
        guard output.hasPrefix("y\n") else { return nil }
        return Data(output.dropFirst(2).utf8)
    }
    public func write(_ data: Data, to path: String) async throws {
        let local = try localScratchFile()
        defer { try? FileManager.default.removeItem(atPath: local) }
        try data.write(to: URL(fileURLWithPath: local))
        try await transport.upload(local, to: path)
    }
    public func exists(_ path: String) async throws -> Bool {
        try await transport.shell("if [ -e \(q(path)) ] || [ -L \(q(path)) ]; then echo y; fi") == "y\n"
    }
    public func stamp(_ path: String) async throws -> String? {
        let output = try await transport.shell("stat -c %y -- \(q(path)) 2>/dev/null || true")
        return output.isEmpty ? nil : output
    }
    public func list(_ directory: String) async throws -> [String] {
        try await transport.shell("[ -d \(q(directory)) ] && ls -A -- \(q(directory)) || true").split(separator: "\n").map(String.init)
    }
    public func makeDirectory(_ path: String) async throws { _ = try await transport.shell("mkdir -p -- \(q(path))") }
    public func remove(_ path: String) async throws { _ = try await transport.shell("rm -rf -- \(q(path))") }
    public func copy(_ path: String, to destination: String) async throws {
        _ = try await transport.shell("mkdir -p -- \(q((destination as NSString).deletingLastPathComponent)) && cp -a -- \(q(path)) \(q(destination))")
    }
    public func move(_ path: String, to destination: String) async throws {
        // -T: never into an existing directory of that name (FileManager's move fails there too).
        _ = try await transport.shell("mv -fT -- \(q(path)) \(q(destination))")
    }
    public func put(_ localPath: String, to path: String) async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: localPath, isDirectory: &isDirectory), isDirectory.boolValue else {
            try await remove(path)
            return try await transport.upload(localPath, to: path)
        }
        // A directory goes as one tar file: one verified transfer, unpacked beside its place and renamed into it.
        let archive = try localScratchFile()
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let (result, _) = try await LocalTransport().capture(Command("tar", ["--exclude=./.git", "-C", localPath, "-cf", archive, "."]), limit: 4096)
        guard result.termination.succeeded else {
            throw Problem(problem: "cannot pack \(localPath) for worker \(endpoint): \(result.tail.suffix(3).joined(separator: " | "))",
                          fix: "check that the directory is readable")
        }
        try await transport.upload(archive, to: path + ".tar")
        _ = try await transport.shell("""
            p=\(q(path)); rm -rf -- "$p.partial" && mkdir -p -- "$p.partial" && tar -xf "$p.tar" -C "$p.partial" \
            && rm -rf -- "$p" && mv -- "$p.partial" "$p" && rm -f -- "$p.tar"
            """)
    }

    public func fetch(_ path: String, to localPath: String) async throws {
        try await transport.download(path, to: localPath)
    }

    private func withPath(_ command: Command) -> Command {
        var command = command
        if command.environment["PATH"] == nil { command.environment["PATH"] = searchPath }
        return command
    }

    private func localScratchFile() throws -> String {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        return "\(scratch)/upload-\(UUID().uuidString)"
    }

    private func q(_ path: String) -> String { Command.shellQuoted(path) }
}
