import FarmModel
import Scheduler

/// The shape of the real plans (after cycle breaking), pooled over the graphs: what synthetic graphs copy.
struct GraphShape {
    /// Each real package's level: the length of the longest dependency chain below it (0 for a leaf).
    var levels: [Int]
    /// The number of dependencies of each real package that has any.
    var outDegrees: [Int]
    /// How many packages depend on each real package.
    var inDegrees: [Int]

    init(_ graphs: [DepGraph]) {
        levels = []; outDegrees = []; inDegrees = []
        for graph in graphs {
            let deps = graph.nodes.map(\.dependencies)
            levels += chainLevels(deps)
            outDegrees += deps.map(\.count).filter { $0 > 0 }
            var incoming = [Int](repeating: 0, count: deps.count)
            for list in deps { for d in list { incoming[d] += 1 } }
            inDegrees += incoming
        }
    }
}

/// Each node's level in a DAG given as dependency lists: 0 without dependencies, else 1 + the deepest dependency.
func chainLevels(_ dependencies: [[Int]]) -> [Int] {
    var level = [Int](repeating: 0, count: dependencies.count)
    for node in topologicalOrder(dependencies) ?? [] {
        level[node] = dependencies[node].map { level[$0] + 1 }.max() ?? 0
    }
    return level
}

/// Synthetic classes shaped like the real plans: package levels drawn from the real levels (one package forced
/// onto each level so the longest chain is as long as the real one's), out-degrees drawn from the real ones;
/// one dependency one level down, the others from any lower level, chosen in proportion to a popularity drawn
/// from the real in-degrees plus one (so a few packages are depended on by many, like glibc and gcc); build
/// seconds drawn from the measured medians of durations.tsv.
func syntheticJobs(classes: Int, packages: Int, shape: GraphShape, seconds: [Double], seed: UInt64) -> [BuildJob] {
    var random = SplitMix64(seed: seed)
    let topLevel = shape.levels.max() ?? 0
    var jobs: [BuildJob] = []
    jobs.reserveCapacity(classes * packages)
    for number in 0..<classes {
        let arch = number % 10 >= 7 ? "amd64" : "x86"
        let name = ClassName("synthetic-\(arch)-\(number)")!
        var levels = (0..<packages).map { $0 <= topLevel ? $0 : shape.levels.randomElement(using: &random)! }
        levels.sort()
        let weight = levels.map { _ in Double(1 + shape.inDegrees.randomElement(using: &random)!) }
        var below = [0.0]  // below[i]: total weight of packages 0..<i
        for w in weight { below.append(below.last! + w) }
        let start = (0...topLevel + 1).map { level in levels.firstIndex { $0 >= level } ?? packages }
        let cpvs = (0..<packages).map { CPV(category: "synth-cat\($0 % 40)", package: "pkg\($0)", version: "1.\(number)") }
        for p in 0..<packages {
            var deps: Set<Int> = []
            if levels[p] > 0 {
                let lower = start[levels[p]]
                let degree = min(shape.outDegrees.randomElement(using: &random)!, lower)
                deps.insert(pick(below, from: start[levels[p] - 1], to: lower, using: &random))
                while deps.count < degree { deps.insert(pick(below, from: 0, to: lower, using: &random)) }
            }
            jobs.append(BuildJob(id: JobID(name, cpvs[p]), arch: arch, dependencies: Set(deps.map { JobID(name, cpvs[$0]) }),
                                 estimatedSeconds: seconds.randomElement(using: &random)!))
        }
    }
    return jobs
}

/// An index in `from..<to` drawn in proportion to its weight (`below` holds the prefix sums of the weights).
private func pick(_ below: [Double], from: Int, to: Int, using random: inout SplitMix64) -> Int {
    let target = Double.random(in: below[from]..<below[to], using: &random)
    var (low, high) = (from, to - 1)
    while low < high {
        let middle = (low + high + 1) / 2
        if below[middle] <= target { low = middle } else { high = middle - 1 }
    }
    return low
}

/// The scale farm's workers: half amd64 hosts (also x86; speeds 2.0/1.5/1.0/1.0, 4/3/2/2 slots), half old
/// x86-only hosts (speeds 0.5/0.4/0.3/0.3, one slot), like the realistic farm.
func syntheticWorkers(_ count: Int) -> [WorkerSlots] {
    (0..<count).map { n in
        let cycle = (n / 2) % 4
        return n % 2 == 0
            ? WorkerSlots(name: "amd64-\(n)", arches: ["amd64", "x86"], jobs: [4, 3, 2, 2][cycle], speed: [2.0, 1.5, 1.0, 1.0][cycle])
            : WorkerSlots(name: "x86-\(n)", arches: ["x86"], jobs: 1, speed: [0.5, 0.4, 0.3, 0.3][cycle])
    }
}

/// A small, seedable generator (SplitMix64), so synthetic farms are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
