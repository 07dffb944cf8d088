import ArgumentParser
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct Roots: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The root generations of each class: list, roll back, compare, audit.",
            subcommands: [List.self, Rollback.self, Diff.self, Audit.self])
    }
}

extension Farmctl.Roots {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every generation, newest first; * marks `current`.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "Only this class.") var nodeClass: String?
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let listings = try reportingErrors(exitCode: 2) { try farm.listGenerations(class: nodeClass) }
            if json { return try printJSON(listings) }
            if listings.isEmpty { return print("no generations yet; run `farmctl build`") }
            let formatter = ISO8601DateFormatter()
            for item in listings {
                let where_ = item.pruned != nil ? "pruned" : item.onDisk ? "on disk" : "missing"
                let mark = item.current ? "*" : " "
                let failure = item.failure.map { ": \($0.prefix(80))" } ?? ""
                let isa = item.isaAudit.map { "isa \($0.prefix(60))  " } ?? ""
                let kernel = (item.kernel.map { "kernel \($0)" } ?? "no kernel").padding(toLength: 22, withPad: " ", startingAt: 0)
                let stage = (item.stage.map { "stage \($0.prefix(19))" } ?? "no stage").padding(toLength: 26, withPad: " ", startingAt: 0)
                print("\(mark) \(item.class.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(item.number).leftPadded(4))  \(item.status.padding(toLength: 10, withPad: " ", startingAt: 0)) \(formatter.string(from: item.created))  \(String(item.packages).leftPadded(4)) pkgs  \(kernel) \(stage) \(isa)\(where_)\(failure)")
            }
        }
    }

    struct Rollback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point a class's `current` back at an older published generation (atomically).",
            discussion: "Without N: the newest published generation older than `current` that is still on disk. The next build compares against what `current` points at.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "The class.") var nodeClass: String
        @Argument(help: "The generation to boot.") var number: Int?

        func run() async throws {
            let farm = try options.loadFarm()
            let (from, to) = try reportingErrors(exitCode: 2) { try farm.rollback(class: nodeClass, to: number) }
            print("\(nodeClass): current \(from.map(String.init) ?? "none") → \(to)")
            syncNetworkBoot(farm)
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Packages added, removed, changed and rebuilt from generation A to B, and a kernel or stage change.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "The class.") var nodeClass: String
        @Argument(help: "The older generation.") var a: Int
        @Argument(help: "The newer generation.") var b: Int
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let diff = try reportingErrors(exitCode: 2) { try farm.diffGenerations(class: nodeClass, a, b) }
            if json { return try printJSON(diff) }
            print("\(diff.class): generation \(diff.from) → \(diff.to)")
            for (sign, items) in [("+", diff.added), ("-", diff.removed), ("~", diff.changed), ("=", diff.rebuilt)] {
                for item in items { print("  \(sign) \(item)\(sign == "=" ? " (rebuilt)" : "")") }
            }
            if [diff.added, diff.removed, diff.changed, diff.rebuilt].allSatisfy(\.isEmpty) { print("  no package differs") }
            if let kernel = diff.kernel { print("  kernel: \(kernel.from ?? "none") → \(kernel.to ?? "none")") }
            if let stage = diff.stage { print("  stage changed: \(stage.from ?? "none") → \(stage.to ?? "none")") }
        }
    }
}
