import Foundation
import FarmModel
import Store
import Synchronization

/// What the run that now holds the lock found and cleaned up after a run that died.
public struct Recovery: Sendable, Codable {
    /// The dead holder named in the lock file (nil: the lock was released cleanly).
    public var holder: LockHolder?
    /// Runs the store had as running, now interrupted.
    public var runs: [Int64] = []
    /// Builds the dead run left running (class/cpv): they run again if the plan still wants them.
    public var builds: [String] = []
    /// Partial generations removed (`CLASS/N`).
    public var generations: [String] = []
    /// Processes of the dead run that were still running, stopped.
    public var processes: Int = 0

    /// True when there was nothing to clean up.
    public var isEmpty: Bool { holder == nil && runs.isEmpty && builds.isEmpty && generations.isEmpty && processes == 0 }
}

extension Farm {
    /// The marker a run's processes carry in their environment (`FARMCTL_RUN=<run>@<state directory>`): run ids
    /// are per farm, so the state directory keeps two farms on one machine from ever taking each other's processes.
    func runMarker(_ run: Int64) -> String { "\(run)@\(settings.state.path)" }

    /// After taking the lock: marks what a dead run left unfinished as interrupted (one transaction), stops its
    /// leftover local processes (found by their `FARMCTL_RUN` marker), and deletes its partial generations.
    func recoverDeadRun(store: FarmStore, holder: LockHolder?) throws -> Recovery {
        let interrupted = try store.recordInterrupted()
        var recovery = Recovery(holder: holder, runs: interrupted.runs.compactMap(\.id),
                                builds: interrupted.builds.map { "\($0.class)/\($0.cpv)" })
        for run in recovery.runs {
            recovery.processes += LeftoverProcesses.stop(marker: "FARMCTL_RUN=" + runMarker(run))
        }
        for generation in interrupted.generations {
            guard let nodeClass = ClassName(generation.class) else { continue }
            let roots = settings.rootsDirectory(for: nodeClass).path
            guard RootLink.current(in: roots) != generation.number else { continue }
            if FileManager.default.fileExists(atPath: generation.path) { try FileManager.default.removeItem(atPath: generation.path) }
            recovery.generations.append("\(generation.class)/\(generation.number)")
        }
        return recovery
    }
}

/// Processes a dead run left behind (an emerge and its children keep going when farmctl is killed).
enum LeftoverProcesses {
    /// Sends SIGKILL to every process whose environment holds `marker`, and to its process group, and waits
    /// (up to 10 s) until they are gone. Returns how many there were.
    static func stop(marker: String) -> Int {
        let found = find(marker: marker)
        for (pid, group) in found {
            if group > 1 && group != getpgrp() { kill(-group, SIGKILL) }
            kill(pid, SIGKILL)
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, found.contains(where: { alive($0.pid) }) { usleep(50_000) }
        return found.count
    }

    /// (pid, process group) of each process carrying `marker` in its environment (our own user's only).
    static func find(marker: String) -> [(pid: pid_t, group: pid_t)] {
        let me = getpid()
        let needle = Array(marker.utf8)
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name in
            guard let pid = pid_t(name), pid != me,
                  let environ = FileManager.default.contents(atPath: "/proc/\(name)/environ"),
                  environ.split(separator: 0).contains(where: { Array($0) == needle }),
                  let fields = statFields(pid), fields.count > 2, let group = pid_t(fields[2]) else { return nil }
            return (pid, group)
        }
    }

    private static func alive(_ pid: pid_t) -> Bool {
        guard let state = statFields(pid)?.first else { return false }
        return state != "Z"
    }

    /// The fields of `/proc/<pid>/stat` after "pid (comm)": state, ppid, pgrp, …; nil when the process is gone.
    private static func statFields(_ pid: pid_t) -> [Substring]? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }
}

/// Test hook for fault injection: `FARMCTL_KILL_AT=point[:n]` makes the process SIGKILL itself the n-th time
/// (default: first) it reaches `point`, exactly as a crash or `kill -9` would stop it there. Points: `planned`
/// (a class planned, others may still be planning), `build-output` (an emerge build is writing output),
/// `build-emerged` (emerge wrote the binpkg, the store does not know it yet), `build-recorded` (a build's
/// success is recorded), `assembling` (packages installed into a new generation,
/// `current` not switched), `published` (the generation recorded as published, `current` not switched yet).
enum KillPoint {
    private static let target: (name: String, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["FARMCTL_KILL_AT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: ":", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()
    private static let hits = Mutex<Int>(0)

    static func reach(_ name: String) {
        guard let target, target.name == name else { return }
        let count = hits.withLock { $0 += 1; return $0 }
        if count == target.count { kill(getpid(), SIGKILL) }
    }
}
