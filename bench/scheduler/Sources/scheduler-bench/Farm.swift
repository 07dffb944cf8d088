import FarmModel
import Foundation
import Scheduler

/// The realistic farm: 10 classes made from the four real plans, 8 workers of mixed speed and arch.
struct RealisticFarm {
    /// The plans, in the order classes take them: pentium3/athlon-xp alternating, then system/world.
    static let graphFiles = ["x86-13.0-system-pentium3", "x86-13.0-system-athlon-xp",
                             "x86-13.0-world-pentium3", "x86-13.0-world-athlon-xp"]
    /// Classes 7, 8, 9 are amd64 classes (same plans and durations; only amd64 workers may build them).
    static let amd64Classes: Set<Int> = [7, 8, 9]

    /// 4 amd64 hosts (also build x86) and 4 old x86-only hosts.
    static let workers = [
        WorkerSlots(name: "amd64-a", arches: ["amd64", "x86"], jobs: 4, speed: 2.0),
        WorkerSlots(name: "amd64-b", arches: ["amd64", "x86"], jobs: 3, speed: 1.5),
        WorkerSlots(name: "amd64-c", arches: ["amd64", "x86"], jobs: 2, speed: 1.0),
        WorkerSlots(name: "amd64-d", arches: ["amd64", "x86"], jobs: 2, speed: 1.0),
        WorkerSlots(name: "x86-e", arches: ["x86"], jobs: 1, speed: 0.5),
        WorkerSlots(name: "x86-f", arches: ["x86"], jobs: 1, speed: 0.4),
        WorkerSlots(name: "x86-g", arches: ["x86"], jobs: 1, speed: 0.3),
        WorkerSlots(name: "x86-h", arches: ["x86"], jobs: 1, speed: 0.3),
    ]

    let graphs: [DepGraph]
    let durations: Durations
    /// Every job of every class.
    let jobs: [BuildJob]
    /// How many jobs' estimates came from each source.
    let sources: [Durations.Source: Int]

    init(testdata: URL, classes: Int = 10) throws {
        graphs = try Self.graphFiles.map {
            try DepGraph(contentsOf: testdata.appending(path: "gentoo-graphs/\($0).json"))
        }
        durations = try Durations(contentsOf: testdata.appending(path: "emerge-log/durations.tsv"))
        var jobs: [BuildJob] = [], sources: [Durations.Source: Int] = [:]
        for number in 0..<classes {
            let graph = graphs[number % graphs.count]
            let arch = Self.amd64Classes.contains(number) ? "amd64" : "x86"
            let name = ClassName("\(arch)-\(graph.label.split(separator: "-").suffix(2).joined(separator: "-"))-\(number)")!
            for node in graph.nodes {
                let (seconds, source) = durations.estimate(node.cpv)
                sources[source, default: 0] += 1
                jobs.append(BuildJob(id: JobID(name, node.cpv), arch: arch,
                                     dependencies: Set(node.dependencies.map { JobID(name, graph.nodes[$0].cpv) }),
                                     estimatedSeconds: seconds))
            }
        }
        self.jobs = jobs
        self.sources = sources
    }
}
