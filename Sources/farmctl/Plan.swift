import ArgumentParser
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what `farmctl build` would build, where, in which order, and why not elsewhere.",
            discussion: """
                Plans each class with the real emerge (as build does) and simulates the schedule on the workers of \
                workers.conf with estimated durations (past builds' mean, else 10 s) and the CPUs recorded at the last \
                build. Nothing is built and no worker is contacted. Exit status: 0, or 2 on bad input.
                """)
        @OptionGroup var options: FarmOptions
        @Argument(help: "Node classes to plan (default: all).") var classes: [String] = []
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let preview = try await reportingErrors(exitCode: 2) { try await farm.previewPlan(classes: classes) { event in
                // Planning a chroot-mode class may first make its build root: say so, on stderr (stdout is the plan).
                if case .buildRootMade = event, let line = PlainProgress.line(event, verbose: false) {
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                }
            } }
            if json { return try printJSON(preview) }
            guard !preview.steps.isEmpty || !preview.unbuildable.isEmpty else { return print("nothing to build") }
            let width = preview.steps.map { "\($0.class)/\($0.cpv)".count }.max() ?? 0
            for step in preview.steps {
                let name = "\(step.class)/\(step.cpv)".padding(toLength: width, withPad: " ", startingAt: 0)
                let order = String(step.order).leftPadded(3)
                let times = String(format: "at %6.0f s for %4.0f s", step.startSeconds, step.seconds)
                print("\(order)  \(name)  on \(step.worker)  \(times)")
                for (worker, reason) in step.notElsewhere.sorted(by: { $0.key < $1.key }) where !reason.hasPrefix("busy") {
                    print("       not \(worker): \(reason)")
                }
            }
            for (job, reason) in preview.unbuildable.sorted(by: { $0.key < $1.key }) { print("  cannot build \(job): \(reason)") }
            print(String(format: "%d builds, estimated %.0f s", preview.steps.count, preview.makespanSeconds))
        }
    }
}
