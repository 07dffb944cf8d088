import Foundation
import Scheduler

/// Benchmark 1: the realistic farm with each scheduler, one host per class, the lower bound, and sanity checks.
func farmReport(testdata: URL) throws {
    let farm = try RealisticFarm(testdata: testdata)
    print("### Inputs: the real plans after cycle breaking\n")
    print("| plan | packages | build/runtime edges | on cycles (flagged satisfied) | cycle sizes | dropped: satisfied, against merge order | dropped: other | kept | longest chain (packages) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for graph in farm.graphs {
        let c = graph.cycles
        let chain = (chainLevels(graph.nodes.map(\.dependencies)).max() ?? 0) + 1
        print("| \(graph.label) | \(graph.nodes.count) | \(c.orderingEdges) | \(c.edgesOnCycles) (\(c.satisfiedOnCycles)) | \(c.componentSizes) | \(c.droppedSatisfied) | \(c.droppedOther) | \(c.orderingEdges - c.droppedSatisfied - c.droppedOther) | \(chain) |")
    }
    let packages = Set(farm.graphs.flatMap { $0.nodes.map(\.cpv) })
    let sources = Dictionary(grouping: packages, by: { farm.durations.estimate($0).source }).mapValues(\.count)
    print("\nBuild seconds of the \(packages.count) distinct packages: " + Durations.Source.allCases
        .map { "\(sources[$0, default: 0]) \($0.rawValue)" }.joined(separator: ", ")
        + String(format: " (overall median %.1f s).\n", farm.durations.overall))

    let workers = RealisticFarm.workers
    let jobs = farm.jobs
    let bound = LowerBound(jobs: jobs, workers: workers)
    let total = jobs.reduce(0) { $0 + $1.estimatedSeconds }
    print("### Realistic farm: 10 classes, \(jobs.count) jobs, \(Int(total)) s of work at speed 1.0, 8 workers\n")
    print("Lower bound \(seconds(bound.value)) = max(critical path at the fastest eligible speed \(seconds(bound.criticalPath)),"
        + " work bound \(seconds(bound.work)) for jobs of arch \(bound.workGroup.joined(separator: "+")) on the workers that build them).\n")
    print("| schedule | makespan (s) | makespan (h) | ratio to lower bound | scheduler CPU (ms) |")
    print("|---|---|---|---|---|")
    var results: [(SchedulerKind, SimulationResult)] = []
    for kind in SchedulerKind.allCases {
        let result = try kind.with { try simulate($0, jobs: jobs, workers: workers) }
        results.append((kind, result))
        print("| \(kind.title) | \(seconds(result.makespan)) | \(hours(result.makespan)) | \(ratio(result.makespan, bound.value)) | \(String(format: "%.1f", result.schedulerCPU * 1000)) |")
    }
    let peers = try OneHostPerClass(jobs: jobs, workers: workers)
    print("| one host per class (LPT) | \(seconds(peers.makespan)) | \(hours(peers.makespan)) | \(ratio(peers.makespan, bound.value)) | — |")
    print("| lower bound | \(seconds(bound.value)) | \(hours(bound.value)) | 1.000 | — |")
    let same = results.first { $0.0 == .current }?.1.digest == results.first { $0.0 == .indexed }?.1.digest
    print("\nThe proposed ScheduleState with the current placement starts \(same ? "the same" : "A DIFFERENT") builds on the same workers at the same times as the current one (digest of all \(jobs.count) starts).")
    let plan = ScheduleSimulation(jobs: jobs, workers: workers).makespan
    let proposed = results.first { $0.0 == .proposed }!.1.makespan
    print("farmctl's own ScheduleSimulation (`farmctl plan`) of the proposed ScheduleState: makespan \(seconds(plan)) s (\(plan == proposed ? "equal to" : "DIFFERENT FROM") this benchmark's).")

    print("\nWorker utilisation (busy slot-seconds / (slots × makespan)); one host per class: "
        + workers.map { "\($0.name) ← \(peers.classesOn[$0.name, default: []].map(\.rawValue).joined(separator: ", "))" }.joined(separator: "; ") + "\n")
    print("| worker | arches | slots | speed | " + results.map { $0.0.title }.joined(separator: " | ") + " |")
    print("|---|---|---|---|" + results.map { _ in "---|" }.joined())
    for worker in workers {
        let cells = results.map { String(format: "%.0f %%", 100 * $1.busySeconds[worker.name]! / (Double(worker.jobs) * $1.makespan)) }
        print("| \(worker.name) | \(worker.arches.sorted().joined(separator: "+")) | \(worker.jobs) | \(worker.speed) | \(cells.joined(separator: " | ")) |")
    }

    print("\n### Sanity: one worker of speed 1.0 (amd64+x86)\n")
    print("| slots | schedule | makespan (s) | total work / slots (s) | critical path (s) | expected |")
    print("|---|---|---|---|---|---|")
    for slots in [1, 4] {
        let solo = [WorkerSlots(name: "solo", arches: ["amd64", "x86"], jobs: slots, speed: 1.0)]
        let path = LowerBound(jobs: jobs, workers: solo).criticalPath
        let expected = slots == 1 ? "= total work" : "between max(work/slots, path) and work/slots + path (Graham)"
        for kind in SchedulerKind.allCases {
            let result = try kind.with { try simulate($0, jobs: jobs, workers: solo) }
            print("| \(slots) | \(kind.title) | \(seconds(result.makespan)) | \(seconds(total / Double(slots))) | \(seconds(path)) | \(expected) |")
        }
    }
}

/// Benchmark 2: one scale run; prints `key=value` pairs on one line for run.sh.
func scaleRun(testdata: URL, kind: String, workers count: Int, classes: Int, packages: Int, seed: UInt64) throws {
    let graphs = try RealisticFarm.graphFiles.map { try DepGraph(contentsOf: testdata.appending(path: "gentoo-graphs/\($0).json")) }
    let durations = try Durations(contentsOf: testdata.appending(path: "emerge-log/durations.tsv"))
    let jobs = syntheticJobs(classes: classes, packages: packages, shape: GraphShape(graphs), seconds: durations.samples, seed: seed)
    let workers = syntheticWorkers(count)
    var line = "scheduler=\(kind) workers=\(count) classes=\(classes) jobs=\(jobs.count)"
    if kind != "none" {
        guard let scheduler = SchedulerKind(rawValue: kind) else { throw BenchError(usage) }
        let bound = LowerBound(jobs: jobs, workers: workers)
        let result = try scheduler.with { try simulate($0, jobs: jobs, workers: workers) }
        line += " makespan=\(seconds(result.makespan)) bound=\(seconds(bound.value)) ratio=\(ratio(result.makespan, bound.value))"
            + " critical_path=\(seconds(bound.criticalPath)) work_bound=\(seconds(bound.work))"
            + String(format: " cpu_s=%.3f wall_s=%.3f calls=%d digest=%016llx", result.schedulerCPU, result.schedulerWall, result.calls, result.digest)
    }
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    print(line + " maxrss_kib=\(usage.ru_maxrss)")
}

/// How closely the synthetic graphs follow the real ones.
func shapeReport(testdata: URL, classes: Int, packages: Int, seed: UInt64) throws {
    let graphs = try RealisticFarm.graphFiles.map { try DepGraph(contentsOf: testdata.appending(path: "gentoo-graphs/\($0).json")) }
    let durations = try Durations(contentsOf: testdata.appending(path: "emerge-log/durations.tsv"))
    let jobs = syntheticJobs(classes: classes, packages: packages, shape: GraphShape(graphs), seconds: durations.samples, seed: seed)
    let synthetic = Dictionary(grouping: jobs, by: \.id.nodeClass).values.map { classJobs in
        let index = Dictionary(uniqueKeysWithValues: classJobs.enumerated().map { ($1.id, $0) })
        return classJobs.map { $0.dependencies.map { index[$0]! } }
    }
    print("| graphs | packages each | out-degree mean / p50 / p90 / max | no dependencies | in-degree max | nothing depends on it | longest chain (packages) |")
    print("|---|---|---|---|---|---|---|")
    print(shapeRow("the 4 real plans (after cycle breaking)", graphs.map { $0.nodes.map(\.dependencies) }))
    print(shapeRow("synthetic: \(classes) classes × \(packages), seed \(seed)", synthetic))
    let secondsEach = jobs.map(\.estimatedSeconds)
    print(String(format: "\nSynthetic build seconds (speed 1.0): median %.1f, mean %.1f, max %.0f; total %.0f.",
                 median(secondsEach), secondsEach.reduce(0, +) / Double(secondsEach.count), secondsEach.max() ?? 0, secondsEach.reduce(0, +)))
}

private func shapeRow(_ title: String, _ graphs: [[[Int]]]) -> String {
    let out = graphs.flatMap { $0.map(\.count) }.sorted()
    let incoming = graphs.flatMap { deps in
        deps.reduce(into: [Int](repeating: 0, count: deps.count)) { counts, list in for d in list { counts[d] += 1 } }
    }
    let chain = graphs.map { (chainLevels($0).max() ?? 0) + 1 }
    let mean = Double(out.reduce(0, +)) / Double(out.count)
    return "| \(title) | \(Set(graphs.map(\.count)).sorted().map(String.init).joined(separator: ", ")) | "
        + String(format: "%.2f / %d / %d / %d", mean, out[out.count / 2], out[out.count * 9 / 10], out.last ?? 0)
        + " | \(percent(out.filter { $0 == 0 }.count, out.count)) | \(incoming.max() ?? 0) | \(percent(incoming.filter { $0 == 0 }.count, incoming.count))"
        + " | \(Set(chain).sorted().map(String.init).joined(separator: ", ")) |"
}

func seconds(_ value: Double) -> String { String(format: "%.0f", value) }
func hours(_ value: Double) -> String { String(format: "%.2f", value / 3600) }
func ratio(_ value: Double, _ bound: Double) -> String { String(format: "%.3f", value / bound) }
func percent(_ part: Int, _ whole: Int) -> String { String(format: "%.0f %%", 100 * Double(part) / Double(whole)) }
