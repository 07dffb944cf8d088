import ArgumentParser
import Farm
import Foundation
import FarmModel

extension Farmctl {
    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the provenance store about roots, packages and builds.",
            subcommands: [Root.self, Where.self, Builds.self, Runs.self])
    }
}

extension Farmctl.Query {
    struct Root: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The binpkgs a class root holds.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "The node class.") var nodeClass: String
        @Option(help: "A generation number (default: the current one).") var generation: Int?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let (record, packages) = try reportingErrors(exitCode: 2) {
                try farm.rootPackages(class: nodeClass, generation: generation)
            }
            if json { return try printJSON(packages) }
            print("\(record.class) generation \(record.number) (\(record.status), \(record.created.formatted(.iso8601))): \(record.path)")
            print("  seed stage: \(record.stageDigest ?? "none (the root holds only the farm's packages)")")
            print("  ISA audit before publishing: \(record.isaAudit ?? "none recorded")")
            for package in packages {
                print("  \(package.cpv.padding(toLength: 36, withPad: " ", startingAt: 0)) build \(String(package.buildId).leftPadded(4))  \(package.worker)  \(package.sha256.prefix(16))…")
            }
        }
    }

    struct Where: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which roots hold which version of a package.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "A package atom, e.g. app-misc/farm-hello.") var atom: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let locations = try reportingErrors(exitCode: 2) { try farm.locations(of: atom) }
            if json { return try printJSON(locations) }
            if locations.isEmpty { print("no published root holds \(atom)") }
            for location in locations {
                print("\(location.class) generation \(location.generation): \(location.cpv) (build \(location.buildId))")
            }
        }
    }

    struct Builds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Build history, newest first.")
        @OptionGroup var options: FarmOptions
        @Option(name: .customLong("class"), help: "Only builds of this class.") var nodeClass: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let builds = try reportingErrors(exitCode: 2) { try farm.buildHistory(class: nodeClass) }
            if json { return try printJSON(builds.map(BuildListing.init)) }
            for build in builds {
                let seconds = build.finished.map { String(format: "%6.1f s", $0.timeIntervalSince(build.started)) } ?? "      -"
                print("\(String(build.id ?? 0).leftPadded(5))  \(build.class.padding(toLength: 9, withPad: " ", startingAt: 0)) \(build.cpv.padding(toLength: 34, withPad: " ", startingAt: 0)) \(build.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(seconds)  \(build.worker)  \(build.cflags ?? "")")
            }
        }
    }
}

extension Farmctl.Query {
    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Runs (build and nightly), newest first: inputs and outcome.")
        @OptionGroup var options: FarmOptions
        @Option(help: "Show at most this many runs.") var limit: Int = 20
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let runs = try reportingErrors(exitCode: 2) { try farm.runs(limit: limit) }
            if json { return try printJSON(runs) }
            if runs.isEmpty { print("no run recorded yet") }
            for run in runs { print(RunText.line(run)) }
        }
    }
}

/// One run in a line or three: id, command, when, outcome, per-class roots and the pinned repository states.
enum RunText {
    static func line(_ run: RunReport) -> String {
        let seconds = run.finished.map { String(format: "%.1f s", $0.timeIntervalSince(run.started)) } ?? "-"
        var lines = ["\(String(run.id).leftPadded(5))  \(run.command.padding(toLength: 8, withPad: " ", startingAt: 0)) \(run.started.formatted(.iso8601))  \(seconds.leftPadded(8))  \(run.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(run.classes.joined(separator: " "))"]
        if let classes = run.summary?.classes, !classes.isEmpty {
            lines.append("       " + classes.map { "\($0.nodeClass) \(root($0.outcome)) (built \($0.built))" }.joined(separator: ", "))
        }
        if !run.inputs.isEmpty {
            lines.append("       inputs: " + run.inputs.map { "\($0.repository) \($0.state)" }.joined(separator: ", "))
        }
        if let failure = run.failure { lines.append("       error: " + (failure.split(separator: "\n").first.map(String.init) ?? "")) }
        return lines.joined(separator: "\n")
    }

    /// `published 3`, `unchanged 2` or `failed`.
    static func root(_ outcome: ClassOutcome) -> String {
        switch outcome {
        case .published(let number): "published \(number)"
        case .unchanged(let number): "unchanged \(number)"
        case .failed: "failed"
        }
    }
}
