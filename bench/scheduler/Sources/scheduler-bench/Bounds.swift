import Scheduler

/// A lower bound on the makespan of any schedule of `jobs` on `workers` (each slot of a worker builds one job at
/// a time at the worker's speed; a job may go only to workers building its arch).
struct LowerBound {
    /// The longest dependency chain, each job timed at the fastest speed among the workers that may build it.
    var criticalPath: Double
    /// The largest work bound over groups of jobs: for a set G of job kinds (jobs with the same eligible
    /// workers), the work of G's jobs divided by the capacity (Σ slots × speed) of the workers eligible for any
    /// of them. No schedule can do G's work faster, since only those workers can build it.
    var work: Double
    /// The job kinds (arches) of the group that gives `work`.
    var workGroup: [String]

    var value: Double { max(criticalPath, work) }

    init(jobs: [BuildJob], workers: [WorkerSlots]) {
        let eligible = Dictionary(grouping: jobs.indices, by: { jobs[$0].arch })
        let kinds = eligible.keys.sorted()
        let workersOf = kinds.map { kind in Set(workers.indices.filter { workers[$0].arches.contains(kind) }) }
        let fastest = Dictionary(uniqueKeysWithValues: zip(kinds, workersOf.map { $0.map { workers[$0].speed }.max() ?? 0 }))
        let workOf = kinds.map { kind in eligible[kind]!.reduce(0) { $0 + jobs[$1].estimatedSeconds } }
        // Every non-empty subset of kinds (2^kinds: kinds are arches, a handful at most).
        var best = (0.0, [String]())
        for mask in 1..<(1 << kinds.count) {
            let members = kinds.indices.filter { mask & (1 << $0) != 0 }
            let able = members.reduce(into: Set<Int>()) { $0.formUnion(workersOf[$1]) }
            let capacity = able.reduce(0.0) { $0 + Double(workers[$1].jobs) * workers[$1].speed }
            let bound = members.reduce(0.0) { $0 + workOf[$1] } / capacity
            if bound > best.0 { best = (bound, members.map { kinds[$0] }) }
        }
        (work, workGroup) = best
        criticalPath = longestPath(jobs) { $0.estimatedSeconds / fastest[$0.arch]! }
    }
}

/// The longest path through the jobs' dependency graph, each job weighted by `cost` (dependencies outside
/// `jobs` are ignored, as ScheduleState does).
func longestPath(_ jobs: [BuildJob], cost: (BuildJob) -> Double) -> Double {
    let index = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.id, $0) })
    let dependencies = jobs.map { $0.dependencies.compactMap { index[$0] } }
    guard let order = topologicalOrder(dependencies) else { return .infinity }
    var finish = [Double](repeating: 0, count: jobs.count)
    for j in order {
        finish[j] = (dependencies[j].map { finish[$0] }.max() ?? 0) + cost(jobs[j])
    }
    return finish.max() ?? 0
}
