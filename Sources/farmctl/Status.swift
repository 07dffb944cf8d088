import ArgumentParser
import Farm
import Foundation
import FarmModel

extension Farmctl {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The running run's progress per class and worker and what waits and why; else the last run.")

        @OptionGroup var options: FarmOptions

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let status = try reportingErrors(exitCode: 2) { try farm.status() }
            if json { return try printJSON(status) }
            if let holder = status.active {
                print("running: \(holder.description)")
                if let progress = status.progress { print(StatusText.render(progress)) }
                else { print("  (no progress file yet)") }
            } else if let last = status.last {
                print("idle; last run:")
                print(RunText.line(last))
                if let failure = last.failure { print("  error: \(failure)") }
                if last.status == .running { print("  its process is gone: the next run clears what it left") }
            } else {
                print("idle; no run recorded yet (run `farmctl nightly` or `farmctl build`)")
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a build's log.")

        @OptionGroup var options: FarmOptions

        @Argument(help: "A build id, or CLASS/category/package[-version] (its newest build).")
        var build: String

        @Flag(help: "Print only the log's path.")
        var path = false

        func run() async throws {
            let farm = try options.loadFarm()
            let record = try reportingErrors(exitCode: 2) { try farm.build(named: build) }
            if path { return print(record.logPath) }
            guard let handle = FileHandle(forReadingAtPath: record.logPath) else {
                printError(FarmError(problem: "build \(record.id ?? 0) (\(record.class)/\(record.cpv)) has no log at \(record.logPath)",
                                     fix: "the log was removed; `farmctl query builds` still shows the build"))
                throw ExitCode(1)
            }
            FileHandle.standardError.write(Data("build \(record.id ?? 0): \(record.class)/\(record.cpv) on \(record.worker), \(record.status); \(record.logPath)\n".utf8))
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty { FileHandle.standardOutput.write(chunk) }
        }
    }
}

/// `farmctl status` of a running run.
enum StatusText {
    static func render(_ status: RunStatus) -> String {
        var lines = ["run \(status.run) (\(status.command)), started \(status.started.formatted(.iso8601)), updated \(status.updated.formatted(.iso8601))",
                     "class      planned built failed skipped  phase"]
        for (name, row) in status.classes.sorted(by: { $0.key < $1.key }) {
            lines.append(name.padding(toLength: 10, withPad: " ", startingAt: 0) + String(row.planned).leftPadded(8)
                         + String(row.built).leftPadded(6) + String(row.failed).leftPadded(7) + String(row.skipped).leftPadded(8)
                         + "  " + row.phase + (row.kernel.map { "; kernel \($0)" } ?? "") + (row.reason.map { ": \($0)" } ?? ""))
        }
        if !status.running.isEmpty { lines.append("running:") }
        for build in status.running.sorted(by: { ($0.worker, $0.job) < ($1.worker, $1.job) }) {
            lines.append("  \(build.worker): \(build.job) for \(Int(Date().timeIntervalSince(build.since))) s")
        }
        if !status.waiting.isEmpty { lines.append("waiting:") }
        for item in status.waiting.prefix(20) { lines.append("  \(item.job): \(item.reason)") }
        if status.waiting.count > 20 { lines.append("  … and \(status.waiting.count - 20) more") }
        lines += status.messages.suffix(5)
        return lines.joined(separator: "\n")
    }
}

