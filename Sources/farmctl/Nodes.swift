import ArgumentParser
import CPU
import Farm
import FarmModel
import Foundation

extension Farmctl {
    struct Nodes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record cluster nodes, each classified from its /proc/cpuinfo.",
            subcommands: [Add.self, List.self])
    }
}

extension Farmctl.Nodes {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a node from its /proc/cpuinfo and record it (re-adding reclassifies).",
            discussion: "Exit status: 0 recorded, 1 no class can run on its CPU (nothing recorded), 2 bad input.")
        @OptionGroup var options: FarmOptions
        @Argument(help: "The node's name, e.g. node07.") var name: String
        @Option(help: "The node's MAC address (its PXE boot interface).") var mac: String
        @Option(help: "The node's /proc/cpuinfo, captured on it (- for standard input).") var cpuinfo: String

        func run() async throws {
            let farm = try options.loadFarm()
            let text = try reportingErrors(exitCode: 2) { try readCPUInfo(cpuinfo) }
            let (result, change): (Classification, NodeChange)
            do {
                (result, change) = try farm.addNode(name: name, mac: mac, cpuinfo: text, source: cpuinfo == "-" ? "<stdin>" : cpuinfo)
            } catch let error as NoClassFits {
                printError(error)
                throw ExitCode(1)
            } catch let error as UserFacingError {
                printError(error)
                throw ExitCode(2)
            }
            let chosen = result.chosen ?? "?"
            switch change {
            case .added: print("added \(name): class \(chosen) (-march=native: \(result.native?.name ?? "?"))")
            case .unchanged: print("\(name) unchanged: class \(chosen)")
            case .updated: print("updated \(name): class \(chosen)")
            case .reclassified(let from): print("reclassified \(name): \(from) → \(chosen)")
            }
            if change != .unchanged { syncNetworkBoot(farm) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The recorded nodes and their classes.")
        @OptionGroup var options: FarmOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let farm = try options.loadFarm()
            let nodes = try reportingErrors(exitCode: 2) { try farm.nodes() }
            if json { return try printJSON(nodes) }
            if nodes.isEmpty { return print("no nodes recorded; add one with `farmctl nodes add NAME --mac MAC --cpuinfo FILE`") }
            let width = max(4, nodes.map(\.name.count).max() ?? 0)
            for node in nodes {
                let drift = node.currentClass == node.class ? "" : "  (profiles now say \(node.currentClass ?? "no class"); re-add to reclassify)"
                print("\(node.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(node.mac)  \(node.class.padding(toLength: 10, withPad: " ", startingAt: 0))  \(node.march ?? "-")  \(node.modelName ?? "")\(drift)")
            }
        }
    }
}
