import FarmModel

extension ScheduleState {
    /// A worker's slots as one `nextAssignments` call sees them.
    struct Slots {
        /// Slots free now (the worker is not parked).
        var free: Int
        /// When each other slot is expected to free: its build's estimated end (for a build past its estimate,
        /// as long again as it has run), a reservation made in this call, or the end of the worker's parking.
        var later: [Double]
        /// When a slot is next free: now if one is, else the earliest of `later`.
        var earliest: Double

        init(free: Int, later: [Double], now: Double) {
            (self.free, self.later) = (free, later)
            earliest = free > 0 ? now : later.min() ?? .infinity
        }

        /// Takes the earliest slot until `end`.
        mutating func take(until end: Double) {
            if free > 0 {
                free -= 1
                later.append(end)
                if free > 0 { return }
            } else {
                later[later.indices.min { later[$0] < later[$1] }!] = end
            }
            earliest = later.min()!
        }
    }

    /// Takes ready jobs best first, only from groups that have a free worker, and places each: it starts on a
    /// free worker, or (earliestFinish) waits for a busy one and reserves that worker's next slot.
    mutating func placeReadyJobs(now: Double) -> [Assignment] {
        var slots = book.workers.indices.map { w in
            let worker = book.workers[w]
            let from = parkedUntil.isEmpty ? now : max(parkedUntil[worker.name] ?? now, now)
            let running = book.running[w]
            let free = max(worker.jobs - running.count, 0)
            let ends = running.values.map { max($0.end >= now ? $0.end : 2 * now - $0.start, from) }
            return from > now ? Slots(free: 0, later: ends + Array(repeating: from, count: free), now: now)
                              : Slots(free: free, later: ends, now: now)
        }
        var freeSlots = slots.reduce(0) { $0 + $1.free }
        var assignments: [Assignment] = []
        var held: [(group: Int, rank: Int)] = []
        while freeSlots > 0, let group = bestOpenGroup(slots), let rank = book.queues[group].pop() {
            guard book.waiting[rank] else { continue }  // failed or skipped since queued
            let job = book.byRank[rank]
            if !notBefore.isEmpty, let start = notBefore[job.id], start > now { held.append((group, rank)); continue }
            let w = chooseWorker(for: job, among: book.groups[group], slots)
            let finish = slots[w].earliest + job.estimatedSeconds / book.workers[w].speed
            let startsNow = slots[w].free > 0
            slots[w].take(until: finish)
            guard startsNow else {
                // Waits for a busy worker that finishes it earlier than any free one; its slot is taken from then.
                held.append((group, rank))
                continue
            }
            freeSlots -= 1
            let worker = book.workers[w].name
            book.started(job.id, on: worker, at: now, until: finish)
            setStatus(job.id, .running(worker: worker))
            assignments.append(Assignment(job: job, worker: worker))
        }
        for (group, rank) in held { book.queues[group].push(rank) }
        return assignments
    }

    /// The group whose best job comes first among groups with a free worker.
    private func bestOpenGroup(_ slots: [Slots]) -> Int? {
        var best: (group: Int, rank: Int)?
        for (group, queue) in book.queues.enumerated() {
            guard let top = queue.top, top < best?.rank ?? .max,
                  book.groups[group].contains(where: { slots[$0].free > 0 }) else { continue }
            best = (group, top)
        }
        return best?.group
    }

    /// The worker for `job`: with earliestFinish, the one where it ends first (free before busy on a tie, then
    /// by score); with bestFreeWorker, the free one with the best score. Ties on score go to the first name.
    private func chooseWorker(for job: BuildJob, among group: [Int], _ slots: [Slots]) -> Int {
        /// Speed × free share of the worker's slots.
        func score(_ w: Int) -> Double {
            book.workers[w].speed * Double(book.workers[w].jobs - book.running[w].count) / Double(max(book.workers[w].jobs, 1))
        }
        var best: (w: Int, finish: Double)?
        for w in group {
            let finish: Double
            switch placement {
            case .bestFreeWorker:
                guard slots[w].free > 0 else { continue }
                finish = -score(w)  // the best score, as the earliest "finish"
            case .earliestFinish:
                finish = slots[w].earliest + job.estimatedSeconds / book.workers[w].speed
            }
            guard let current = best, finish >= current.finish else { best = (w, finish); continue }
            // A tie (rare): a free worker first, then the better score; the first name (lower index) stays.
            guard finish == current.finish, placement == .earliestFinish else { continue }
            let challenger = (slots[w].free > 0 ? 1 : 0, score(w)), holder = (slots[current.w].free > 0 ? 1 : 0, score(current.w))
            if challenger > holder { best = (w, finish) }
        }
        return best!.w
    }
}
