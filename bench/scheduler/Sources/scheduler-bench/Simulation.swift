import Glibc
import Scheduler

/// What one simulated run of a scheduler gave.
struct SimulationResult {
    /// Simulated seconds from the first start to the last finish.
    var makespan: Double
    /// CPU seconds this thread spent inside the scheduler: its init and every assign/finish call.
    var schedulerCPU: Double
    /// Wall seconds of the same calls.
    var schedulerWall: Double
    /// Scheduler calls made (its init included).
    var calls: Int
    /// Simulated seconds each worker's slots spent building, summed over slots.
    var busySeconds: [String: Double]
    /// FNV-1a over every start (time, job, worker) in order: equal digests, same schedule.
    var digest: UInt64
}

/// Drives a scheduler through a discrete-event simulation: at time t it takes the scheduler's assignments;
/// each finishes at t + estimatedSeconds / speed of its worker; the earliest finish is reported as a success,
/// then the scheduler is asked again. The calls are those of farmctl's Dispatcher loop, in its order
/// (nextAssignments, nextWakeup, finish, isFinished), and all are timed.
/// Checks every decision (dependencies done, arch, free slot, each job once) outside the timed calls.
func simulate<S: SimulatedScheduler>(_ type: S.Type, jobs: [BuildJob], workers: [WorkerSlots]) throws -> SimulationResult {
    let index = Dictionary(uniqueKeysWithValues: jobs.enumerated().map { ($1.id, $0) })
    let workerIndex = Dictionary(uniqueKeysWithValues: workers.enumerated().map { ($1.name, $0) })
    var busy = [Int](repeating: 0, count: workers.count)
    var busySeconds = [Double](repeating: 0, count: workers.count)
    var started = [Bool](repeating: false, count: jobs.count), done = started
    var events = EventQueue()
    var timer = CallTimer()
    var state = timer.measure { S(jobs: jobs, workers: workers) }
    var now = 0.0, finished = 0
    var digest: UInt64 = 0xcbf2_9ce4_8422_2325
    while true {
        let assignments = timer.measure { state.assign(now: now) }
        for (job, name) in assignments {
            guard let j = index[job.id], let w = workerIndex[name] else { throw BenchError("unknown \(job.id) or \(name)") }
            let worker = workers[w]
            guard !started[j] else { throw BenchError("\(job.id) started twice") }
            guard jobs[j].dependencies.allSatisfy({ index[$0].map { done[$0] } ?? true }) else {
                throw BenchError("\(job.id) started before its dependencies finished")
            }
            guard worker.arches.contains(job.arch), busy[w] < worker.jobs else {
                throw BenchError("\(job.id) placed on \(name): arch or slots violated")
            }
            started[j] = true
            busy[w] += 1
            let seconds = job.estimatedSeconds / worker.speed
            busySeconds[w] += seconds
            events.push(time: now + seconds, job: j, worker: w)
            for value in [now.bitPattern, UInt64(j), UInt64(w)] { digest = (digest ^ value) &* 0x100_0000_01b3 }
        }
        if let wakeup = timer.measure({ state.nextWakeup(after: now) }) { throw BenchError("unexpected wakeup at \(wakeup)") }
        guard let event = events.pop() else { break }
        now = event.time
        busy[event.worker] -= 1
        done[event.job] = true
        finished += 1
        timer.measure { state.succeed(jobs[event.job].id, now: now) }
        if timer.measure({ state.isFinished }) { break }
    }
    guard finished == jobs.count, events.pop() == nil, state.isFinished else {
        throw BenchError("deadlock: \(finished) of \(jobs.count) jobs finished")
    }
    return SimulationResult(makespan: now, schedulerCPU: timer.cpu, schedulerWall: timer.wall, calls: timer.calls,
                            busySeconds: Dictionary(uniqueKeysWithValues: zip(workers.map(\.name), busySeconds)), digest: digest)
}

/// Adds up the thread CPU time and wall time of the calls it measures.
struct CallTimer {
    private(set) var cpu = 0.0, wall = 0.0, calls = 0

    mutating func measure<R>(_ body: () throws -> R) rethrows -> R {
        let (cpu0, wall0) = (clock(CLOCK_THREAD_CPUTIME_ID), clock(CLOCK_MONOTONIC))
        defer {
            cpu += clock(CLOCK_THREAD_CPUTIME_ID) - cpu0
            wall += clock(CLOCK_MONOTONIC) - wall0
            calls += 1
        }
        return try body()
    }

    private func clock(_ id: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(id, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}

/// Pending finishes, earliest first (ties in the order they were pushed): a binary min-heap.
struct EventQueue {
    struct Event { var time: Double; var sequence: Int; var job: Int; var worker: Int }
    private var heap: [Event] = []
    private var pushed = 0

    mutating func push(time: Double, job: Int, worker: Int) {
        heap.append(Event(time: time, sequence: pushed, job: job, worker: worker))
        pushed += 1
        var child = heap.count - 1
        while child > 0, Self.before(heap[child], heap[(child - 1) / 2]) {
            heap.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    mutating func pop() -> Event? {
        guard let first = heap.first else { return nil }
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
            if smallest == parent { return first }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private static func before(_ a: Event, _ b: Event) -> Bool { (a.time, a.sequence) < (b.time, b.sequence) }
}
