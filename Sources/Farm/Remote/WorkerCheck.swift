import CPU
import FarmConfig
import FarmModel
import Foundation
import Workers

/// What `farmctl workers check` found out about one worker.
public struct WorkerCheck: Sendable, Codable {
    public var name: String
    /// When the check ran.
    public var checked = Date()
    public var host: String
    /// Connected, host key accepted and authenticated (always true for the coordinator).
    public var reachable = false
    /// `uname -m` natively, and under `linux32` when the worker builds x86 on amd64 (in its chroot when set).
    public var machine: String?
    public var machine32: String?
    /// The first line of `emerge --version` on the worker.
    public var emerge: String?
    public var workdir: String
    /// Free bytes in the workdir's file system.
    public var freeBytes: Int64?
    /// Worker clock minus coordinator clock, in seconds.
    public var clockSkewSeconds: Double?
    /// The CPU: model name and GCC's -march=native for it.
    public var cpu: String?
    public var march: String?
    /// Classes whose code the CPU runs, and for the others what it lacks.
    public var runs: [String] = []
    public var lacks: [String: String] = [:]
    /// What is wrong, each with how to fix it; empty when the worker is fine.
    public var problems: [String] = []

    public var ok: Bool { problems.isEmpty }
}

extension Farm {
    /// `farmctl workers check`: reaches each named worker (all when none) and checks what builds need there.
    public func checkWorkers(_ names: [String]) async throws -> [WorkerCheck] {
        let unknown = names.filter { name in !settings.workers.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw FarmError(problem: "\(settings.configFile.path) has no worker named \(unknown.joined(separator: ", "))",
                            fix: "name one of: \(settings.workers.map(\.name).joined(separator: ", "))")
        }
        let profiles = (try? profiles(named: [])) ?? []
        var checks: [WorkerCheck] = []
        for spec in settings.workers where names.isEmpty || names.contains(spec.name) {
            checks.append(await check(spec, profiles: profiles))
        }
        try? remember(checks)
        return checks
    }

    /// `<state>/workers-check.json`: each worker's latest check, what `farmctl serve` shows without reaching it.
    var workerChecksFile: URL { settings.state.appendingPathComponent("workers-check.json") }

    /// The latest check of each worker still in workers.conf, in file order (none checked: empty).
    public func lastWorkerChecks() -> [WorkerCheck] {
        guard let data = try? Data(contentsOf: workerChecksFile),
              let checks = try? Self.jsonDecoder().decode([WorkerCheck].self, from: data) else { return [] }
        return settings.workers.compactMap { spec in checks.first { $0.name == spec.name } }
    }

    private func remember(_ checks: [WorkerCheck]) throws {
        let kept = lastWorkerChecks().filter { old in !checks.contains { $0.name == old.name } } + checks
        try FileManager.default.createDirectory(at: settings.state, withIntermediateDirectories: true)
        try Self.jsonEncoder(pretty: false).encode(kept).write(to: workerChecksFile, options: .atomic)
    }

    private func check(_ spec: WorkerSpec, profiles: [ClassProfile]) async -> WorkerCheck {
        var check = WorkerCheck(name: spec.name, host: spec.isLocal ? spec.host : SSHWorkers.target(for: spec).endpoint,
                                workdir: spec.workdir.path)
        let transport: any WorkerTransport
        do {
            transport = try WorkerSite.transport(for: spec)
            _ = try await transport.shell("true")
            check.reachable = true
        } catch {
            check.problems.append("\(error)")
            return check
        }
        func ask(_ script: String) async -> String? {
            (try? await transport.shell(script))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        check.machine = await ask("uname -m")
        if spec.arches.contains(.amd64), check.machine != "x86_64" {
            check.problems.append("arches lists amd64 but `uname -m` says \(check.machine ?? "nothing"); fix: remove amd64 from arches at \(spec.location)")
        }
        if spec.arches.contains(.x86) {
            let chroot = spec.chroot[.x86].map { "chroot \(Command.shellQuoted($0)) " } ?? ""
            let prefix = spec.arches.contains(.amd64) ? "linux32 " : ""
            check.machine32 = await ask("\(prefix)\(chroot)uname -m")
            if !(check.machine32.map { ["i686", "i586", "i486", "i386"].contains($0) } ?? false) {
                check.problems.append("x86 builds need a 32-bit personality, but `\(prefix)\(chroot)uname -m` says \(check.machine32 ?? "nothing (failed)"); fix: install util-linux (linux32) on the worker, or remove x86 from arches")
            }
        }
        let emerge = spec.isLocal ? ((try? emergeProgram(for: spec)) ?? "emerge") : WorkerSite.remoteEmerge(spec)
        check.emerge = await ask("\(Command.shellQuoted(emerge)) --version 2>/dev/null | head -n 1")?.components(separatedBy: " (").first
        if check.emerge?.isEmpty ?? true {
            check.emerge = nil
            check.problems.append("`\(emerge) --version` failed on the worker; fix: install Portage there, or set `emerge` at \(spec.location) to its path")
        }
        let workdir = Command.shellQuoted(spec.workdir.path)
        if let df = await ask("mkdir -p \(workdir) && df -Pk \(workdir) | tail -n 1"),
           let available = df.split(separator: " ").dropFirst(3).first.flatMap({ Int64($0) }) {
            check.freeBytes = available * 1024
            if available < 2 << 20 {
                check.problems.append("only \(available / 1024) MiB free in \(spec.workdir.path); fix: free space or move workdir (at least 2 GiB)")
            }
        } else {
            check.problems.append("cannot create or measure \(spec.workdir.path); fix: make it writable for the SSH user")
        }
        let before = Date().timeIntervalSince1970
        if let remote = await ask("date +%s.%N").flatMap(Double.init) {
            let after = Date().timeIntervalSince1970
            check.clockSkewSeconds = ((remote - (before + after) / 2) * 1000).rounded() / 1000
            if abs(check.clockSkewSeconds ?? 0) > 2 {
                check.problems.append("the worker's clock is \(check.clockSkewSeconds ?? 0) s off; fix: run an NTP client (chrony, ntpd) on it")
            }
        }
        if let text = try? await transport.shell("cat /proc/cpuinfo"), let cpu = try? CPUDescription(parsing: text, source: "/proc/cpuinfo of \(spec.name)") {
            check.cpu = cpu.modelName
            check.march = NativeMarch(for: cpu)?.name
            for profile in profiles {
                let missing = profile.requirements.missing(in: cpu.features ?? []).map(\.feature.rawValue)
                if missing.isEmpty { check.runs.append(profile.name.rawValue) } else { check.lacks[profile.name.rawValue] = missing.joined(separator: " ") }
            }
        } else {
            check.problems.append("cannot read /proc/cpuinfo; fix: check that /proc is mounted on the worker")
        }
        return check
    }
}
