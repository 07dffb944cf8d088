import Foundation
import Testing
import TestSupport
import Workers

@Suite struct SSHExecTests {
    @Test func outputLinesLogAndExitStatus() async throws {
        try await withHost { _, transport in
            // Given a command that writes to stdout and stderr and exits 7, and a log file
            let logDirectory = try Fixtures.temporaryDirectory("ssh-log")
            defer { try? FileManager.default.removeItem(at: logDirectory) }
            let log = logDirectory.appendingPathComponent("build.log").path
            let lines = LineCollector()
            // When it runs over SSH
            let result = try await transport.run(Command("sh", ["-c", "echo out; sleep 0.05; echo err >&2; printf tail"]),
                                                 logPath: log, onLine: lines.add)
            let failed = try await transport.run(Command("sh", ["-c", "exit 7"]))
            // Then lines arrive in order, the log holds them, and exit statuses come back
            #expect(result.termination == .exited(0))
            #expect(lines.lines == ["out", "err", "tail"])
            #expect(result.tail == ["out", "err", "tail"])
            #expect(try String(contentsOfFile: log, encoding: .utf8) == "out\nerr\ntail\n")
            #expect(failed.termination == .exited(7))
        }
    }

    @Test func signalIsReportedAsItsNumber() async throws {
        try await withHost { _, transport in
            // Given a command that dies of SIGILL
            // When it runs
            let result = try await transport.run(Command("sh", ["-c", "kill -ILL $$"]))
            // Then the transport reports signal 4, not an exit status
            #expect(result.termination == .signaled(4))
        }
    }

    @Test func largeStdoutAndStderrTogetherKeepOrder() async throws {
        try await withHost { _, transport in
            // Given a command writing ~5 MB to stdout and ~5 MB to stderr at the same time
            let count = 700_000
            let script = "seq 1 \(count) & seq 1 \(count) | sed s/^/E/ >&2; wait"
            let out = LineCollector()
            let err = LineCollector()
            // When it runs
            let start = ContinuousClock.now
            let result = try await transport.run(Command("sh", ["-c", script]), logPath: nil) { line in
                line.hasPrefix("E") ? err.add(line) : out.add(line)
            }
            // Then it finishes (no stall on a full stderr window) and each stream keeps its order
            print("10 MB of output in \(elapsed(since: start)) s")
            #expect(result.termination == .exited(0))
            let (outInOrder, errInOrder) = try await offPool {
                (out.lines == (1...count).map { String($0) }, err.lines == (1...count).map { "E\($0)" })
            }
            #expect(out.lines.count == count && err.lines.count == count)
            #expect(outInOrder && errInOrder)
        }
    }

    @Test func twoCommandsRunAtOnceOnOneSession() async throws {
        try await withHost { _, transport in
            // Given an open session
            try await transport.connect()
            // When two one-second commands start together on it, each noting when it started and ended on the worker
            let script = "date +%s.%N; echo $SSH_CLIENT; sleep 1; date +%s.%N"
            let start = ContinuousClock.now
            async let first = transport.capture(Command("sh", ["-c", script]), limit: 200)
            async let second = transport.capture(Command("sh", ["-c", script]), limit: 200)
            let (a, b) = try await (first, second)
            print("two `sleep 1` over one session: \(elapsed(since: start)) s here")
            // Then both ran over the same connection (same client port) and overlapped: < 1.8 s from the first start
            // to the last end on the worker (measured there, so a busy test process cannot skew it)
            let lines = [a.1, b.1].map { $0.split(separator: "\n").map(String.init) }
            #expect(a.0.termination.succeeded && b.0.termination.succeeded)
            #expect(lines.allSatisfy { $0.count == 3 } && lines[0][1] == lines[1][1])
            let times = lines.compactMap { $0.count == 3 ? (Double($0[0]) ?? 0, Double($0[2]) ?? 0) : nil }
            let span = (times.map(\.1).max() ?? 0) - (times.map(\.0).min() ?? 0)
            #expect(times.count == 2 && span > 0.9 && span < 1.8)
        }
    }

    @Test func environmentDirectoryAndLinux32() async throws {
        try await withHost { _, transport in
            // Given a 32-bit command with a variable set, HOME unset and a working directory
            let command = Command("sh", ["-c", "echo \"$FOO\"; echo ${HOME-unset}; pwd; uname -m"],
                                  environment: ["FOO": "a b'c $x", "HOME": nil], workingDirectory: "/usr/share",
                                  personality: .linux32)
            // When it runs
            let (result, output) = try await transport.capture(command, limit: 1000)
            // Then the worker saw exactly that
            #expect(result.termination.succeeded)
            #expect(output == "a b'c $x\nunset\n/usr/share\ni686\n")
        }
    }

    @Test func captureKeepsLimitAndStderrTail() async throws {
        try await withHost { _, transport in
            // Given a command printing 100 kB to stdout and two lines to stderr
            let command = Command("sh", ["-c", "head -c 100000 /dev/zero | tr '\\0' x; echo one >&2; echo two >&2; exit 3"])
            // When it is captured with a 1000-byte limit
            let (result, output) = try await transport.capture(command, limit: 1000)
            // Then stdout is cut at the limit and the result carries stderr's tail
            #expect(output == String(repeating: "x", count: 1000))
            #expect(result.tail == ["one", "two"])
            #expect(result.termination == .exited(3))
        }
    }

    @Test func chrootedTransportRunsInsideTheChroot() async throws {
        try await withHost { _, transport in
            // Given a chroot on the worker: / bound at DIR, with a tmpfs at DIR/mnt holding work/inside
            // (mounts happen in the test sshd's private mount namespace)
            let root = "/tmp/farmctl-chroot-\(UUID().uuidString.prefix(8))"
            let setup = "mkdir -p \(root) && mount --bind / \(root) && mount -t tmpfs none \(root)/mnt && mkdir \(root)/mnt/work && touch \(root)/mnt/work/inside"
            #expect(try await transport.run(Command("sh", ["-c", setup])).termination.succeeded)
            // rmdir(2) only, never a recursive removal: / is bound there inside the sshd's namespace
            defer { rmdir(root) }
            // When a 32-bit command runs in the chrooted variant of the transport
            let chrooted = transport.chrooted(root)
            let command = Command("sh", ["-c", "pwd; ls; uname -m; echo $V"], environment: ["V": "set"], workingDirectory: "/mnt/work",
                                  personality: .linux32)
            let (result, output) = try await chrooted.capture(command, limit: 1000)
            let (_, outside) = try await transport.capture(Command("sh", ["-c", "ls /mnt/work 2>&1 || true"]), limit: 1000)
            // Then it ran inside the chroot (the file exists only there), in its directory, as i686
            #expect(result.termination.succeeded)
            #expect(output == "/mnt/work\ninside\ni686\nset\n")
            #expect(!outside.contains("inside"))
            _ = try await transport.run(Command("sh", ["-c", "umount -R \(root) && rmdir \(root)"]))
        }
    }
}
