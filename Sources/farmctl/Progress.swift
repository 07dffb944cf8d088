import Farm
import FarmModel
import Foundation
import Synchronization

/// Shows a run's events to a person.
protocol ProgressRenderer: Sendable {
    func handle(_ event: FarmEvent)
    func finish()
}

/// One line per event: for logs, pipes and `--verbose`.
final class PlainProgress: ProgressRenderer {
    let verbose: Bool
    private let output: FileHandle
    private let lock = Mutex(())

    init(verbose: Bool, toStandardError: Bool = false) {
        self.verbose = verbose
        output = toStandardError ? .standardError : .standardOutput
    }

    func handle(_ event: FarmEvent) {
        guard let line = Self.line(event, verbose: verbose) else { return }
        lock.withLock { _ in output.write(Data((line + "\n").utf8)) }
    }

    func finish() {}

    static func line(_ event: FarmEvent, verbose: Bool) -> String? {
        switch event {
        case .planning(let c): "\(c): planning with emerge --pretend"
        case .planned(let c, let cpvs, let empty):
            cpvs.isEmpty ? "\(c): nothing to build"
                : "\(c): \(cpvs.count) to build\(empty ? " (build flags changed: rebuilding all)" : ""): \(cpvs.map(\.description).joined(separator: " "))"
        case .distfilesReady(let count, let copied): "distfiles: \(count) verified against their Manifests, \(copied) copied from mirrors"
        case .buildStarted(let c, let cpv, let worker): "\(c): building \(cpv) on \(worker)"
        case .buildOutput(let c, let cpv, let text): verbose ? "  [\(c) \(cpv.pf)] \(text)" : nil
        case .buildFinished(let c, let cpv, _, let ok, let seconds, let log):
            ok ? "\(c): built \(cpv) in \(String(format: "%.1f", seconds)) s"
               : "\(c): FAILED \(cpv) after \(String(format: "%.1f", seconds)) s; log: \(log)"
        case .buildSkipped(let c, let cpv, let cause): "\(c): skipped \(cpv) because \(cause) failed"
        case .kernelProgress(let text): "kernel: \(text)"
        case .buildRootMade(let c, let seconds, let log): "\(c): made its build root in \(String(format: "%.1f", seconds)) s (log: \(log))"
        case .kernelBuilding(let c, let key, let worker, let log): "\(c): building kernel \(key) on \(worker) (log: \(log))"
        case .kernelBuilt(let c, let release, let key, let seconds, let cached):
            cached ? "\(c): kernel \(release) (\(key)) from the cache" : "\(c): built kernel \(release) (\(key)) in \(String(format: "%.1f", seconds)) s"
        case .moduleBuilt(let c, let module, let release, let seconds, let ok):
            ok ? "\(c): built module \(module) against \(release) in \(String(format: "%.1f", seconds)) s"
               : "\(c): FAILED module \(module) against \(release) after \(String(format: "%.1f", seconds)) s"
        case .assembling(let c, let number, let count): "\(c): assembling generation \(number) from \(count) binpkgs"
        case .published(let c, let number, let count, let installed, let seconds, let merging):
            "\(c): published generation \(number) (current -> \(number)): \(installed) of \(count) packages installed in \(String(format: "%.2f", seconds)) s (merging \(String(format: "%.2f", merging)) s)"
        case .unchanged(let c, let number): "\(c): root unchanged, generation \(number) stays current"
        case .notPlanned(let c, let number, let run):
            "\(c): inputs unchanged since run \(run), which planned nothing: not planned; generation \(number) stays current"
        case .pruned(let c, let numbers): "\(c): pruned generation(s) \(numbers.map(String.init).joined(separator: ", ")) (keep_generations)"
        case .networkBoot(let report): report.summary
        case .classFailed(let c, let reason): "\(c): FAILED: \(reason)"
        case .warning(let text): "warning: \(text)"
        case .scheduled: nil
        case .waitingForLock(let holder): "waiting for \(holder?.description ?? "another farmctl run") to release the farm lock"
        case .recovered(let recovery): recovery.summary
        case .pinned(let run, let inputs):
            "run \(run): " + inputs.map { "\($0.repository) at \($0.state)" }.joined(separator: ", ")
        case .synced(let sync):
            sync.succeeded ? "sync: `\(sync.command)` done in \(String(format: "%.1f", sync.seconds)) s"
                : "sync: `\(sync.command)` FAILED after \(String(format: "%.1f", sync.seconds)) s; log: \(sync.log)"
        case .collected(let report): report.summary
        }
    }
}

extension Recovery {
    /// What the previous run left, in one line.
    var summary: String {
        var parts: [String] = []
        if let holder { parts.append("\(holder.description) died without finishing; its lock is cleared") }
        else if !runs.isEmpty { parts.append("run \(runs.map(String.init).joined(separator: ", ")) died without finishing") }
        if !builds.isEmpty { parts.append("\(builds.count) build(s) it left running are redone if still needed (\(builds.joined(separator: ", ")))") }
        if !generations.isEmpty { parts.append("partial generation(s) \(generations.joined(separator: ", ")) removed") }
        if processes > 0 { parts.append("\(processes) of its processes were still running and were stopped") }
        return "recovered: " + parts.joined(separator: "; ")
    }
}

extension GCReport {
    /// What gc deleted, in one line.
    var summary: String {
        if isEmpty { return "gc: nothing to delete" }
        return "gc: \(generations.count) generation(s)\(generations.isEmpty ? "" : " (\(generations.joined(separator: ", ")))"), "
            + "\(binpkgs.count) binpkg(s) (\(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)))"
            + (stages.isEmpty ? "" : ", \(stages.count) extracted seed stage(s)") + " deleted"
    }
}

/// A live terminal view: per class planned/building/built/failed, and what each worker is building.
final class LiveProgress: ProgressRenderer {
    private struct ClassRow {
        var planned = 0, building = 0, built = 0, failed = 0
        var state = "planning"
    }

    private struct State {
        var classes: [ClassName: ClassRow] = [:]
        /// Builds running now: which worker builds which class package.
        var running: [String: (worker: String, job: String)] = [:]
        var messages: [String] = []
        var drawnLines = 0
    }

    private let state = Mutex(State())

    func handle(_ event: FarmEvent) {
        state.withLock { state in
            apply(event, to: &state)
            draw(&state)
        }
    }

    func finish() {}

    private func apply(_ event: FarmEvent, to state: inout State) {
        switch event {
        case .planning(let c): state.classes[c, default: ClassRow()].state = "planning"
        case .planned(let c, let cpvs, _):
            state.classes[c, default: ClassRow()].planned = cpvs.count
            state.classes[c]?.state = cpvs.isEmpty ? "up to date" : "building"
        case .buildStarted(let c, let cpv, let worker):
            state.classes[c, default: ClassRow()].building += 1
            state.running["\(c)/\(cpv)"] = (worker, "\(c) \(cpv)")
        case .buildFinished(let c, let cpv, _, let ok, _, let log):
            state.classes[c, default: ClassRow()].building -= 1
            if ok { state.classes[c]?.built += 1 } else {
                state.classes[c]?.failed += 1
                state.messages.append("\(c): FAILED \(cpv); log: \(log)")
            }
            state.running["\(c)/\(cpv)"] = nil
        case .buildSkipped(let c, let cpv, let cause):
            state.classes[c, default: ClassRow()].failed += 1
            state.messages.append("\(c): skipped \(cpv) because \(cause) failed")
        case .kernelBuilding(let c, let key, let worker, _): state.running["\(c)/kernel"] = (worker, "\(c) kernel \(key)")
        case .kernelBuilt(let c, _, _, _, _):
            state.running["\(c)/kernel"] = nil
            say(event, &state)
        case .moduleBuilt(_, _, _, _, let ok): if !ok { say(event, &state) }
        case .kernelProgress, .buildRootMade, .notPlanned: say(event, &state)
        case .assembling(let c, let number, _): state.classes[c]?.state = "assembling generation \(number)"
        case .published(let c, let number, _, _, _, _): state.classes[c]?.state = "published generation \(number)"
        case .unchanged(let c, let number): state.classes[c]?.state = "unchanged (generation \(number))"
        case .networkBoot(let report): state.messages.append(report.summary)
        case .pruned(let c, let numbers): state.messages.append("\(c): pruned generation(s) \(numbers.map(String.init).joined(separator: ", "))")
        case .classFailed(let c, _): state.classes[c]?.state = "FAILED"
        case .warning(let text): state.messages.append("warning: \(text)")
        case .waitingForLock, .recovered, .synced, .collected: say(event, &state)
        case .distfilesReady, .buildOutput, .scheduled, .pinned: break
        }
    }

    /// Keeps the event's plain line above the table.
    private func say(_ event: FarmEvent, _ state: inout State) {
        if let line = PlainProgress.line(event, verbose: false) { state.messages.append(line) }
    }

    private func draw(_ state: inout State) {
        var out = state.drawnLines > 0 ? "\u{1B}[\(state.drawnLines)F\u{1B}[J" : ""
        var lines = state.messages
        lines.append("class      planned building built failed  state")
        for (name, row) in state.classes.sorted(by: { $0.key < $1.key }) {
            lines.append(name.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + " "
                + String(row.planned).leftPadded(7) + String(row.building).leftPadded(9)
                + String(row.built).leftPadded(6) + String(row.failed).leftPadded(7) + "  " + row.state)
        }
        for build in state.running.values.sorted(by: { ($0.worker, $0.job) < ($1.worker, $1.job) }) {
            lines.append("  \(build.worker): \(build.job)")
        }
        out += lines.joined(separator: "\n") + "\n"
        state.drawnLines = lines.count
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}

extension NetworkBootReport {
    /// One line for people: what changed, and what the NFS server must do.
    var summary: String {
        let changes = written.isEmpty && removed.isEmpty ? "unchanged" : "\(written.count) file(s) written, \(removed.count) removed"
        return "network boot: \(changes)" + (exportsChanged ? "; \(exportsFile) changed: run `exportfs -ra` on the NFS server" : "")
            + (ganeshaChanged ? "; \(ganeshaFile ?? "") changed: restart nfs-ganesha" : "")
    }
}
