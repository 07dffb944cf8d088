import FarmModel
import Scheduler

/// How peers build ("one host per class": a Gentoo binhost per class, or catalyst on one machine): every package
/// of a class on one host. Classes go to hosts greedily, largest total work first (LPT), each to the eligible
/// host (one building the class's arch) where the class set would finish earliest; each host builds all its
/// jobs `jobs`-wide in dependency order, longest remaining chain first.
struct OneHostPerClass {
    /// When the last host finishes.
    var makespan: Double
    /// The classes each host builds, in assignment order.
    var classesOn: [String: [ClassName]]

    init(jobs: [BuildJob], workers: [WorkerSlots]) throws {
        let byClass = Dictionary(grouping: jobs, by: \.id.nodeClass)
        let work = byClass.mapValues { $0.reduce(0) { $0 + $1.estimatedSeconds } }
        var assigned: [String: [BuildJob]] = [:]
        var finish: [String: Double] = [:]
        classesOn = [:]
        for name in byClass.keys.sorted(by: { (work[$0]!, $1) > (work[$1]!, $0) }) {
            let classJobs = byClass[name]!
            var best: (host: String, finish: Double)?
            for host in workers where classJobs.allSatisfy({ host.arches.contains($0.arch) }) {
                let done = hostMakespan(assigned[host.name, default: []] + classJobs, slots: host.jobs, speed: host.speed)
                if best == nil || done < best!.finish { best = (host.name, done) }
            }
            guard let best else { throw BenchError("no host builds every package of \(name)") }
            assigned[best.host, default: []] += classJobs
            finish[best.host] = best.finish
            classesOn[best.host, default: []].append(name)
        }
        makespan = finish.values.max() ?? 0
    }
}

/// List scheduling of `jobs` on `slots` equal slots of one host at `speed`: whenever a slot is free, the ready
/// job with the longest chain of work after it (itself included) starts. Returns the time the last job ends.
func hostMakespan(_ jobs: [BuildJob], slots: Int, speed: Double) -> Double {
    let index = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.id, $0) })
    let dependencies = jobs.map { $0.dependencies.compactMap { index[$0] } }
    var dependents = [[Int]](repeating: [], count: jobs.count)
    for (j, deps) in dependencies.enumerated() { for d in deps { dependents[d].append(j) } }
    var tail = [Double](repeating: 0, count: jobs.count)
    for j in (topologicalOrder(dependencies) ?? []).reversed() {
        tail[j] = jobs[j].estimatedSeconds + (dependents[j].map { tail[$0] }.max() ?? 0)
    }
    var waiting = dependencies.map(\.count)
    var ready = jobs.indices.filter { waiting[$0] == 0 }
    var running = EventQueue()
    var free = slots, now = 0.0
    while true {
        while free > 0, let pick = ready.indices.max(by: { (tail[ready[$0]], ready[$1]) < (tail[ready[$1]], ready[$0]) }) {
            let j = ready.remove(at: pick)
            running.push(time: now + jobs[j].estimatedSeconds / speed, job: j, worker: 0)
            free -= 1
        }
        guard let event = running.pop() else { return now }
        now = event.time
        free += 1
        for parent in dependents[event.job] {
            waiting[parent] -= 1
            if waiting[parent] == 0 { ready.append(parent) }
        }
    }
}
