import Foundation

extension SSHTestHost {
    /// sshd and all its descendants (from the parent ids in /proc/*/stat), sshd first.
    func tree() -> [Int32] {
        var children: [Int32: [Int32]] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { children[parent, default: []].append(pid) }
        }
        var result = [pid]
        var index = 0
        while index < result.count {
            result += children[result[index]] ?? []
            index += 1
        }
        return result
    }

    /// Waits for sshd (when `listenerToo`) and collects the zombies of its killed descendants: those whose parent
    /// died too are re-parented to this process (a child subreaper), so none stays behind as a defunct process.
    func reap(_ pids: [Int32], listenerToo: Bool = true) {
        if listenerToo { process.waitForExit(seconds: 3) }
        let deadline = Date().addingTimeInterval(3)
        var waiting = Set(pids.filter { $0 != pid })
        while !waiting.isEmpty, Date() < deadline {
            for child in waiting {
                let result = waitpid(child, nil, WNOHANG)
                if result == child || !FileManager.default.fileExists(atPath: "/proc/\(child)") { waiting.remove(child) }
            }
            if !waiting.isEmpty { usleep(5_000) }
        }
    }

    /// Makes this process the child subreaper (prctl PR_SET_CHILD_SUBREAPER) so killed sessions can be reaped.
    static let becomeSubreaper: Void = {
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else { return }
        _ = unsafeBitCast(symbol, to: Prctl.self)(36, 1, 0, 0, 0)
    }()

    /// A new address per host in this process: 127.0.0.(base + n), base random in 10-200.
    static func nextAddress() -> String {
        let n = counter.withLock { value -> Int in
            value += 1
            return value
        }
        return "127.0.0.\((addressBase - 2 + n) % 252 + 2)"
    }

    private static let addressBase = Int.random(in: 10...200)
    private static let counter = LockedCounter()

    /// A port nobody listens on at `address` right now (bound to port 0, then released).
    static func freePort(on address: String) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HostError("socket: \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        inet_pton(AF_INET, address, &addr.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw HostError("cannot bind \(address): \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Polls until sshd accepts a TCP connection (5 s at most).
    func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            guard process.isRunning else { break }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = UInt16(port).bigEndian
            inet_pton(AF_INET, address, &addr.sin_addr)
            let connected = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            Glibc.close(fd)
            if connected { return }
            usleep(10_000)
        }
        let log = (try? String(contentsOfFile: directory + "/sshd.log", encoding: .utf8)) ?? ""
        stop()
        throw HostError("sshd on \(address):\(port) did not start: \(log)")
    }
}

/// Runs blocking work on a new thread and awaits it, so tests do not stall Swift's cooperative pool (2 threads here).
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// Why a test host could not be set up.
public struct HostError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func withLock<T>(_ body: (inout Int) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

/// A child started with posix_spawn and reaped by its pid alone (never by Foundation's process monitor).
public final class SpawnedProcess: @unchecked Sendable {
    public let pid: Int32
    private let lock = NSLock()
    private var exited = false

    /// Starts `program` with `arguments`, stdin from /dev/null, stdout and stderr appended to `output`.
    public init(_ program: String, _ arguments: [String], output: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // An empty signal mask and default handlers: the spawning thread may block or ignore some.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD, SIGHUP] { sigaddset(&signals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: Int32 = 0
        let status = posix_spawn(&pid, program, &actions, &attributes, argv, environ)
        guard status == 0 else { throw HostError("cannot start \(program): \(String(cString: strerror(status)))") }
        self.pid = pid
    }

    /// Sends SIGTERM, waits up to 2 s, then SIGKILLs; reaps it.
    public func stop() {
        _ = Glibc.kill(pid, SIGTERM)
        waitForExit(seconds: 2)
        if isRunning {
            _ = Glibc.kill(pid, SIGKILL)
            waitForExit(seconds: 2)
        }
    }

    /// False once the process has exited (and was reaped).
    public var isRunning: Bool {
        lock.withLock {
            if !exited, waitpid(pid, nil, WNOHANG) == pid { exited = true }
            return !exited
        }
    }

    /// Waits up to `seconds` for the process to exit.
    func waitForExit(seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { usleep(5_000) }
    }
}
