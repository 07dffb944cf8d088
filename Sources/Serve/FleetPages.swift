import Farm
import FarmConfig
import Foundation

/// The workers' page (configuration, the last `workers check`, builds) and the nodes' page (MAC, class, `-march`).
extension FarmPages {
    static func workers(_ specs: [WorkerSpec], checks: [WorkerCheck], builds: [String: (total: Int, failed: Int)]) -> String {
        let rows: [[Cell]] = specs.map { spec in
            let check = checks.first { $0.name == spec.name }
            let reach = check.map { $0.ok ? "ok" : $0.reachable ? "problem" : "unreachable" } ?? "never checked"
            let counts = builds[spec.name] ?? (0, 0)
            return [.text(spec.name), .text(spec.host), .text("\(spec.jobs)"), .text(spec.arches.map(\.rawValue).joined(separator: " ")),
                    .text(check.map { "\(reach) (\(iso($0.checked)))" } ?? reach), .text(check?.cpu ?? "—"), .text(check?.march ?? "—"),
                    .text(check?.runs.joined(separator: " ") ?? "—"), .text("\(counts.total)"), .text("\(counts.failed)"),
                    .text(check?.problems.joined(separator: "; ") ?? "")]
        }
        return page(title: "workers", body: "<h1>workers</h1>\n<p>Reachability as of the last <code>farmctl workers check</code>.</p>\n"
                    + table(["worker", "host", "jobs", "arches", "reachable", "CPU", "-march", "runs classes", "builds", "failed", "problems"], rows, id: "workers"))
    }

    static func nodes(_ nodes: [NodeListing]) -> String {
        page(title: "nodes", body: "<h1>nodes</h1>\n" + nodesTable(nodes))
    }

    static func nodesTable(_ nodes: [NodeListing]) -> String {
        table(["node", "MAC", "class", "class now", "-march", "CPU", "added"], nodes.map { node in
            [.text(node.name), .text(node.mac), .link(node.class, href: "/classes/\(node.class)"), .text(node.currentClass ?? "none fits"),
             .text(node.march ?? "—"), .text(node.modelName ?? "—"), .text(iso(node.added))]
        }, id: "nodes")
    }
}
