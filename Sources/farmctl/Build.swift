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

        func run() async throws {
            let farm = try options.loadFarm()
            let live = !plain && !verbose && isatty(STDOUT_FILENO) == 1
            let renderer: ProgressRenderer = live ? LiveProgress() : PlainProgress(verbose: verbose)
            let summary = try await reportingErrors(exitCode: 2) {
                try await farm.build(classes: classes, verbose: verbose) { renderer.handle($0) }
            }
            renderer.finish()
            print(SummaryText.render(summary))
            if !summary.succeeded { throw ExitCode(1) }
        }
    }
}

/// The closing table of a build run.
enum SummaryText {
    static func render(_ summary: BuildSummary) -> String {
        var lines = ["", "class      built  failed  root"]
        for result in summary.classes {
            let root: String
            switch result.outcome {
            case .published(let number): root = "generation \(number) published"
            case .unchanged(let number): root = "unchanged (generation \(number) stays current)"
            case .failed(let reason): root = "FAILED, previous root stays current: \(reason)"
            }
            lines.append(result.nodeClass.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                         + String(result.built).leftPadded(5) + "  " + String(result.failed).leftPadded(6) + "  " + root)
        }
        let built = summary.classes.map(\.built).reduce(0, +)
        lines.append(built == 0 ? "Nothing to build: no emerge build ran (\(String(format: "%.1f", summary.seconds)) s)."
                                : "Built \(built) package(s) in \(String(format: "%.1f", summary.seconds)) s.")
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
