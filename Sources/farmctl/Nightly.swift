import ArgumentParser
import Farm
import Foundation

extension Farmctl {
    struct Nightly: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The unattended rebuild: sync, plan, build what changed, publish changed roots, gc, summary.",
            discussion: "Exit status: 0 all classes published or unchanged; 1 a class failed (its previous root stays current); 2 the run could not start (configuration error, or another run holds the farm lock).")

        @OptionGroup var options: FarmOptions

        @Argument(help: "Node classes (all classes when none is named).")
        var classes: [String] = []

        @Flag(help: "Print the summary as JSON (progress lines go to standard error).")
        var json = false

        @Flag(help: "Wait for a run that holds the farm lock instead of refusing.")
        var wait = false

        @Flag(name: .customLong("no-sync"), help: "Skip the [farm] sync step.")
        var noSync = false

        @Flag(help: "Stream emerge's output.")
        var verbose = false

        @Flag(help: "Plan every class with emerge (and check every binpkg's SHA-256), even one whose inputs are unchanged since an empty plan.")
        var replan = false

        func run() async throws {
            let farm = try options.loadFarm()
            let renderer = PlainProgress(verbose: verbose, toStandardError: json)
            let summary = try await reportingErrors(exitCode: 2) {
                try await farm.run(classes: classes, options: RunOptions(command: .nightly, wait: wait, sync: !noSync, verbose: verbose, replan: replan)) {
                    renderer.handle($0)
                }
            }
            if json { try printJSON(summary) } else { print(SummaryText.render(summary)) }
            if !summary.succeeded { throw ExitCode(1) }
        }
    }

    struct Gc: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete generations beyond keep_generations and binpkgs no kept generation holds.")

        @OptionGroup var options: FarmOptions

        @Flag(name: .customLong("dry-run"), help: "Only list what would be deleted.")
        var dryRun = false

        @Flag(help: "Wait for a run that holds the farm lock instead of refusing.")
        var wait = false

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let progress = PlainProgress(verbose: false, toStandardError: true)
            let report = try await reportingErrors(exitCode: 2) {
                try await farm.gc(dryRun: dryRun, wait: wait) { progress.handle($0) }
            }
            if json { return try printJSON(report) }
            for generation in report.generations { print("\(dryRun ? "would delete" : "deleted") generation \(generation)") }
            for binpkg in report.binpkgs { print("\(dryRun ? "would delete" : "deleted") \(binpkg)") }
            for stage in report.stages { print("\(dryRun ? "would delete" : "deleted") extracted stage \(stage)") }
            print((dryRun ? "dry run: " : "") + report.summary)
        }
    }
}
