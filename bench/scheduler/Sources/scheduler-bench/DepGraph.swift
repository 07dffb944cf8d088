import FarmModel
import Foundation

/// One Portage plan in the "gentoo-depgraph/1" format (shared/testdata/gentoo-graphs), reduced to what a
/// build scheduler needs: the packages in merge order and, for each, the packages whose builds it waits for.
struct DepGraph {
    /// One package of the plan.
    struct Node {
        /// Portage's node id, `cat/pkg-ver:SLOT::repo`.
        var id: String
        var cpv: CPV
        /// Indices (into `nodes`) of the packages this one waits for: its `build` and `runtime` children, minus
        /// the edges dropped to break cycles.
        var dependencies: [Int]
    }

    /// What breaking the plan's cycles did (see `breakCycles`).
    struct CycleReport {
        /// `build` or `runtime` edges (`post` edges do not order builds).
        var orderingEdges = 0
        /// Ordering edges inside a strongly connected component (on some cycle), before any was dropped.
        var edgesOnCycles = 0
        /// Of those, edges flagged `satisfied`.
        var satisfiedOnCycles = 0
        /// Sizes of the non-trivial strongly connected components.
        var componentSizes: [Int] = []
        /// Dropped: on a cycle, flagged `satisfied`, and running against the merge order.
        var droppedSatisfied = 0
        /// Dropped: on a cycle that the first rule left, running against the merge order, any flags.
        var droppedOther = 0
    }

    var label: String
    /// The packages in Portage's merge order.
    var nodes: [Node]
    var cycles: CycleReport

    /// Reads a plan and breaks its cycles; throws when the file is not "gentoo-depgraph/1" or a cycle survives.
    init(contentsOf url: URL) throws {
        let file = try JSONDecoder().decode(GraphFile.self, from: Data(contentsOf: url))
        guard file.format == "gentoo-depgraph/1" else { throw BenchError("\(url.path): format \(file.format)") }
        label = file.summary.label
        let position = Dictionary(uniqueKeysWithValues: file.merge_order.enumerated().map { ($1, $0) })
        let byID = Dictionary(uniqueKeysWithValues: file.nodes.map { ($0.id, $0) })
        var edges: [Edge] = []
        var seen: Set<[Int]> = []
        for id in file.merge_order {
            guard let node = byID[id], let parent = position[id] else { throw BenchError("\(url.path): \(id) has no node") }
            for dep in node.deps where !Set(dep.types).isDisjoint(with: ["build", "runtime"]) {
                guard let child = position[dep.to] else { throw BenchError("\(url.path): edge to unknown \(dep.to)") }
                if seen.insert([parent, child]).inserted {
                    edges.append(Edge(parent: parent, child: child, satisfied: dep.flags.contains("satisfied")))
                }
            }
        }
        var report = CycleReport(orderingEdges: edges.count)
        let kept = DepGraph.breakCycles(edges, nodeCount: file.merge_order.count, report: &report)
        cycles = report
        nodes = try file.merge_order.map { id in
            guard let cpv = CPV(byID[id]!.cpv) else { throw BenchError("\(url.path): bad cpv \(byID[id]!.cpv)") }
            return Node(id: id, cpv: cpv, dependencies: [])
        }
        for edge in kept { nodes[edge.parent].dependencies.append(edge.child) }
        guard topologicalOrder(nodes.map(\.dependencies)) != nil else { throw BenchError("\(url.path): cycle left") }
    }

    /// An ordering edge: `parent` waits for `child` (indices in merge order).
    struct Edge {
        var parent: Int
        var child: Int
        var satisfied: Bool
        var againstMergeOrder: Bool { child > parent }
    }

    /// Breaks cycles the way Portage's merge order shows it did: inside each strongly connected component, drop
    /// the edges flagged `satisfied` that run against the merge order (Portage merged the child after the parent,
    /// so it ignored them); if a component still has a cycle, drop its remaining edges against the merge order.
    /// Edges that agree with the merge order are never dropped, so the merge order stays a valid build order.
    static func breakCycles(_ edges: [Edge], nodeCount: Int, report: inout CycleReport) -> [Edge] {
        var edges = edges
        var first = true
        while true {
            let component = stronglyConnectedComponents(nodeCount, edges)
            let onCycle = edges.map { component[$0.parent] == component[$0.child] }
            if first {
                report.edgesOnCycles = onCycle.filter { $0 }.count
                report.satisfiedOnCycles = zip(edges, onCycle).filter { $1 && $0.satisfied }.count
                let sizes = Dictionary(grouping: component, by: { $0 }).values.map(\.count)
                report.componentSizes = sizes.filter { $0 > 1 }.sorted(by: >)
                first = false
            }
            guard onCycle.contains(true) else { return edges }
            let satisfiedRule = zip(edges, onCycle).contains { $1 && $0.satisfied && $0.againstMergeOrder }
            var kept: [Edge] = []
            for (edge, cyclic) in zip(edges, onCycle) {
                if cyclic && edge.againstMergeOrder && (edge.satisfied || !satisfiedRule) {
                    if satisfiedRule { report.droppedSatisfied += 1 } else { report.droppedOther += 1 }
                } else {
                    kept.append(edge)
                }
            }
            edges = kept
        }
    }

    /// The component number of each node (Tarjan's algorithm; the graphs are small, so recursion is fine).
    static func stronglyConnectedComponents(_ count: Int, _ edges: [Edge]) -> [Int] {
        var children = [[Int]](repeating: [], count: count)
        for edge in edges { children[edge.parent].append(edge.child) }
        var index = [Int](repeating: -1, count: count), low = index, component = index
        var stack: [Int] = [], onStack = [Bool](repeating: false, count: count)
        var next = 0, components = 0
        func visit(_ v: Int) {
            index[v] = next; low[v] = next; next += 1
            stack.append(v); onStack[v] = true
            for w in children[v] {
                if index[w] < 0 { visit(w); low[v] = min(low[v], low[w]) }
                else if onStack[w] { low[v] = min(low[v], index[w]) }
            }
            guard low[v] == index[v] else { return }
            while let w = stack.popLast() {
                onStack[w] = false
                component[w] = components
                if w == v { break }
            }
            components += 1
        }
        for v in 0..<count where index[v] < 0 { visit(v) }
        return component
    }
}

/// A topological order (dependencies first) of a graph given as dependency lists; nil when it has a cycle.
func topologicalOrder(_ dependencies: [[Int]]) -> [Int]? {
    var waiting = dependencies.map(\.count)
    var dependents = [[Int]](repeating: [], count: dependencies.count)
    for (node, deps) in dependencies.enumerated() { for dep in deps { dependents[dep].append(node) } }
    var order = dependencies.indices.filter { waiting[$0] == 0 }
    var head = 0
    while head < order.count {
        for parent in dependents[order[head]] {
            waiting[parent] -= 1
            if waiting[parent] == 0 { order.append(parent) }
        }
        head += 1
    }
    return order.count == dependencies.count ? order : nil
}

/// The JSON as written by the graph exporter (only the fields used here).
private struct GraphFile: Decodable {
    struct Summary: Decodable { var label: String }
    struct Dep: Decodable { var to: String; var types: [String]; var flags: [String] }
    struct Node: Decodable { var id: String; var cpv: String; var deps: [Dep] }
    var format: String
    var summary: Summary
    var merge_order: [String]
    var nodes: [Node]
}

/// A benchmark input that cannot be used, with the reason.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
