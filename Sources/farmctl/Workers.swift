import ArgumentParser
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct Workers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The build workers of workers.conf.",
            subcommands: [Check.self])
    }
}

extension Farmctl.Workers {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reach each worker and check what builds need there.",
            discussion: """
                For each worker: reachable and authenticated (SSH, host key checked against its known_hosts), \
                `uname -m` natively and under linux32, the emerge version, free space in its workdir, clock skew, \
                its CPU and which classes' code it runs. Exit status: 0 all fine, 1 a worker has a problem, 2 bad input.
                """)
        @OptionGroup var options: FarmOptions
        @Argument(help: "Workers to check (default: all).") var names: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let checks = try await reportingErrors(exitCode: 2) { try await farm.checkWorkers(names) }
            if json {
                try printJSON(checks)
            } else {
                print(Self.table(checks))
                for check in checks where !check.ok {
                    for problem in check.problems { print("\(check.name): \(problem)") }
                }
            }
            if checks.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }

        static func table(_ checks: [WorkerCheck]) -> String {
            let header = ["worker", "host", "status", "uname", "linux32", "emerge", "free", "skew", "march", "runs"]
            let rows = checks.map { check in
                [check.name, check.host, check.ok ? "ok" : check.reachable ? "PROBLEM" : "UNREACHABLE",
                 check.machine ?? "-", check.machine32 ?? "-", check.emerge ?? "-",
                 check.freeBytes.map { "\($0 >> 30) GiB" } ?? "-",
                 check.clockSkewSeconds.map { String(format: "%+.3f s", $0) } ?? "-",
                 check.march ?? "-", check.runs.isEmpty ? "-" : check.runs.joined(separator: ",")]
            }
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            return ([header] + rows).map { row in
                row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces)
            }.joined(separator: "\n")
        }
    }
}
