import ArgumentParser
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct Pxe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Network boot files: pxelinux.cfg, class kernels under the TFTP root, NFS exports.",
            subcommands: [Sync.self])
    }
}

extension Farmctl.Pxe {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rewrite them for each class's `current` and the recorded nodes (builds, rollbacks and `nodes add` do this too).",
            discussion: "Unchanged files are left alone; each file is replaced atomically. Exit status: 0, or 2 when workers.conf has no [pxe] table or a file cannot be written.")
        @OptionGroup var options: FarmOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            guard let report = try reportingErrors(exitCode: 2, { try farm.syncNetworkBoot() }) else {
                printError(FarmError(problem: "workers.conf has no [pxe] table, so farmctl manages no network-boot files",
                                     fix: "add [pxe] with server = \"ADDRESS\" and cluster_network = \"NETWORK/PREFIX\" (see docs/boot.md)"))
                throw ExitCode(2)
            }
            if json { return try printJSON(report) }
            print(report.summary)
            for path in report.written { print("  wrote \(path)") }
            for path in report.removed { print("  removed \(path)") }
        }
    }
}

/// Rewrites the network-boot files after a change of roots or nodes; a failure is reported, not fatal (the change
/// itself is done).
func syncNetworkBoot(_ farm: Farm) {
    do {
        if let report = try farm.syncNetworkBoot() { print(report.summary) }
    } catch let error as UserFacingError {
        print("warning: the network-boot files were not rewritten: \(error.problem)\n  fix: \(error.fix)")
    } catch {
        print("warning: the network-boot files were not rewritten: \(error)")
    }
}
