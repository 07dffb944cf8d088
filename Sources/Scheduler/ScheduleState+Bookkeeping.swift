import FarmModel

/// What lets `ScheduleState` answer without scanning every job: dependency counts, ready queues, running builds.
struct Bookkeeping: Sendable {
    /// Per job: dependencies that have not succeeded yet.
    var pending: [JobID: Int]
    /// Per job: its place in priority order (longest critical path first, then by id), 0 first.
    let rank: [JobID: Int]
    /// The jobs in priority order.
    let byRank: [BuildJob]
    /// Per rank: whether the job is waiting (a mirror of `status` for the placement loop).
    var waiting: [Bool]
    /// Jobs waiting or running.
    var unfinished: Int
    /// Ready jobs by the workers they may go to: a heap of ranks per group of workers.
    var queues: [RankHeap] = []
    /// Each group's workers (indices into `workers`, ascending), and each group's number.
    var groups: [[Int]] = []
    var groupNumber: [[Int]: Int] = [:]
    /// The group of jobs with this arch and these runners, and no worker excluded or lost for them.
    var plainGroup: [PlainKey: Int] = [:]

    /// The workers in name order, and each one's index.
    let workers: [WorkerSlots]
    let workerIndex: [String: Int]
    /// Per worker: when each build it runs started and is expected to end (its busy slots).
    var running: [[JobID: (start: Double, end: Double)]]
    /// Jobs without dependencies.
    let initiallyReady: [JobID]

    init(jobs: [JobID: BuildJob], priority: [JobID: Double], workers: [WorkerSlots]) {
        let pending = jobs.mapValues(\.dependencies.count)
        self.pending = pending
        // The order ScheduleState always used: (priority, id) descending priority, ascending id.
        let keyed = jobs.keys.map { (id: $0, priority: priority[$0] ?? 0, cls: $0.nodeClass.rawValue, cpv: $0.cpv.description) }
        let byRank = keyed.sorted { ($0.priority, $1.cls, $1.cpv) > ($1.priority, $0.cls, $0.cpv) }.map(\.id)
        self.byRank = byRank.map { jobs[$0]! }
        waiting = byRank.map { _ in true }
        rank = Dictionary(uniqueKeysWithValues: byRank.enumerated().map { ($1, $0) })
        unfinished = jobs.count
        let sorted = workers.sorted { $0.name < $1.name }
        self.workers = sorted
        workerIndex = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1.name, $0) })
        running = sorted.map { _ in [:] }
        initiallyReady = byRank.filter { pending[$0] == 0 }
    }

    mutating func started(_ id: JobID, on worker: String, at start: Double, until end: Double) {
        running[workerIndex[worker]!][id] = (start, end)
    }

    /// What decides the candidates of a job that no worker was excluded or lost for.
    struct PlainKey: Hashable {
        var arch: String
        var runners: Set<String>?
        var runnersOnly: Bool
    }
}

extension ScheduleState.Status {
    /// Waiting or running: the job still needs the schedule.
    var isOpen: Bool {
        switch self {
        case .waiting, .running: true
        case .succeeded, .failed, .skipped: false
        }
    }
}

extension ScheduleState {
    /// The only way a status changes: keeps the count of open jobs, releases dependents of a success, and
    /// queues a job that is ready (all dependencies succeeded) when it becomes waiting.
    mutating func setStatus(_ id: JobID, _ new: Status) {
        let old = status.updateValue(new, forKey: id)
        book.unfinished += (new.isOpen ? 1 : 0) - (old?.isOpen == true ? 1 : 0)
        if let rank = book.rank[id] { book.waiting[rank] = new == .waiting }
        switch new {
        case .succeeded:
            for dependent in dependents[id] ?? [] {
                book.pending[dependent, default: 1] -= 1
                if book.pending[dependent] == 0, status[dependent] == .waiting { enqueue(dependent) }
            }
        case .waiting:
            if old != .waiting, book.pending[id] == 0 { enqueue(id) }
        case .running, .failed, .skipped:
            break
        }
    }

    /// Frees the slot a build held on `worker`.
    mutating func release(_ id: JobID, from worker: String) {
        if let index = book.workerIndex[worker] { book.running[index][id] = nil }
    }

    /// Queues a ready job with the others that may go to the same workers.
    mutating func enqueue(_ id: JobID) {
        guard let rank = book.rank[id] else { return }
        let job = book.byRank[rank]
        let plain = (excluded.isEmpty || excluded[id] == nil) && (lostOn.isEmpty || lostOn[id] == nil)
        let key = Bookkeeping.PlainKey(arch: job.arch, runners: job.runners, runnersOnly: job.runnersOnly)
        if plain, let group = book.plainGroup[key] { book.queues[group].push(rank); return }
        let workers = candidates(for: job).compactMap { book.workerIndex[$0.name] }.sorted()
        let group = book.groupNumber[workers] ?? book.groups.count
        if group == book.groups.count {
            book.groupNumber[workers] = group
            book.groups.append(workers)
            book.queues.append(RankHeap())
        }
        if plain { book.plainGroup[key] = group }
        book.queues[group].push(rank)
    }
}

/// A binary min-heap of ranks.
struct RankHeap: Sendable {
    private var items: [Int] = []

    var top: Int? { items.first }

    mutating func push(_ rank: Int) {
        items.append(rank)
        var child = items.count - 1
        while child > 0, items[child] < items[(child - 1) / 2] {
            items.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    mutating func pop() -> Int? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            if smallest == parent { return first }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
