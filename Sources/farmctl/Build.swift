import ArgumentParser
import Farm
import Foundation

extension Farmctl {
    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan, build and publish the roots of node classes (all classes when none is named).")

        @OptionGroup var options: FarmOptions

        @Argument(help: "Node classes to build (directories under profiles/).")
        var classes: [String] = []

        @Flag(help: "Stream emerge's output.")
        var verbose = false

        @Flag(help: "Print plain progress lines even on a terminal.")
        var plain = false

        @Flag(help: "Wait for a run that holds the farm lock instead of refusing.")
        var wait = false

        @Flag(help: "Plan every class with emerge, even one whose inputs are unchanged since an empty plan.")
        var replan = false

        func run() async throws {
            let farm = try options.loadFarm()
            let live = !plain && !verbose && isatty(STDOUT_FILENO) == 1
            let renderer: ProgressRenderer = live ? LiveProgress() : PlainProgress(verbose: verbose)
            let summary = try await reportingErrors(exitCode: 2) {
                try await farm.run(classes: classes, options: RunOptions(wait: wait, verbose: verbose, replan: replan)) { renderer.handle($0) }
            }
            renderer.finish()
            print(SummaryText.render(summary))
            if !summary.succeeded { throw ExitCode(1) }
        }
    }
}

/// The closing table of a build or nightly run.
enum SummaryText {
    static func render(_ summary: BuildSummary) -> String {
        var lines = ["", "class      built reused failed  root"]
        for result in summary.classes {
            let root: String
            switch result.outcome {
            case .published(let number): root = "generation \(number) published"
            case .unchanged(let number):
                root = "unchanged (generation \(number) stays current" + (result.notPlannedSince.map { "; inputs as in run \($0): not planned" } ?? "") + ")"
            case .failed(let reason): root = "FAILED, previous root stays current: \(reason)"
            }
            lines.append(result.nodeClass.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                         + String(result.built).leftPadded(5) + String(result.reused).leftPadded(7)
                         + String(result.failed).leftPadded(7) + "  " + root)
            if !result.damaged.isEmpty {
                lines.append("           damaged binpkgs quarantined and rebuilt: \(result.damaged.joined(separator: ", "))")
            }
        }
        if !summary.workers.isEmpty {
            lines.append("worker       builds failed   busy")
            for worker in summary.workers {
                lines.append(worker.name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(worker.builds).leftPadded(7)
                             + String(worker.failed).leftPadded(7) + String(format: "%7.1f s", worker.busySeconds))
            }
        }
        if let gc = summary.gc { lines.append(gc.summary) }
        let built = summary.classes.map(\.built).reduce(0, +)
        let run = summary.run.map { "run \($0): " } ?? ""
        lines.append(run + (built == 0 ? "nothing to build: no emerge build ran (\(String(format: "%.1f", summary.seconds)) s)."
                                       : "built \(built) package(s) in \(String(format: "%.1f", summary.seconds)) s."))
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
