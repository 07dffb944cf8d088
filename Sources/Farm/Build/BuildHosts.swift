import Binpkg
import CPU
import Digests
import FarmConfig
import FarmModel
import Foundation
import Scheduler
import Store
import Workers

/// Which workers can *run* each class's code, from each worker's own /proc/cpuinfo.
struct BuildHosts {
    /// Each worker's CPU, read through its transport (the cached copy when the read fails; absent when neither).
    var cpus: [String: CPUDescription]

    /// Reads every worker's /proc/cpuinfo through its transport and refreshes the store's cache.
    static func read(_ workers: [WorkerSpec], transports: [String: any WorkerTransport], store: FarmStore,
                     events: @Sendable (FarmEvent) -> Void) async -> BuildHosts {
        var cpus: [String: CPUDescription] = [:]
        for worker in workers {
            var text: String?
            if let transport = transports[worker.name],
               let (result, output) = try? await transport.capture(Command("cat", ["/proc/cpuinfo"]), limit: 1 << 20),
               result.termination.succeeded {
                text = output
                try? store.recordWorkerCPU(worker: worker.name, cpuinfo: output, cpuinfoSHA256: try Digest.hex(.sha256, of: Data(output.utf8)))
            } else {
                text = try? store.workerCPU(worker.name)?.cpuinfo
            }
            if let text, let cpu = try? CPUDescription(parsing: text, source: "/proc/cpuinfo of worker \(worker.name)") {
                cpus[worker.name] = cpu
            } else {
                events(.warning("cannot read /proc/cpuinfo of worker \(worker.name); it is not counted as able to run any class's code"))
            }
        }
        return BuildHosts(cpus: cpus)
    }

    /// The workers whose CPU has every feature `requirements` needs, and what each other worker lacks.
    func runners(for requirements: ClassRequirements) -> (runners: Set<String>, lacking: [String: [ISAFeature]]) {
        var runners = Set<String>(), lacking: [String: [ISAFeature]] = [:]
        for (worker, cpu) in cpus {
            let missing = requirements.missing(in: cpu.features ?? []).map(\.feature)
            if missing.isEmpty { runners.insert(worker) } else { lacking[worker] = missing }
        }
        return (runners, lacking)
    }

    /// One warning per class no worker can run code for (none when strict: its builds fail instead).
    static func warning(for profile: ClassProfile, lacking: [String: [ISAFeature]]) -> String {
        let who = lacking.sorted { $0.key < $1.key }.map { "\($0.key) lacks \($0.value.map(\.rawValue).joined(separator: " "))" }
        return "no worker's CPU runs \(profile.name) code (\(who.joined(separator: "; "))): its packages build there anyway; "
            + "a build that runs its own code dies of SIGILL and is reported as such. "
            + "Add a worker with such a CPU, or set strict_build_hosts = true under [cpu] in \(profile.directory.path)/class.toml to refuse"
    }
}

extension BuildHosts {
    /// Where one class's builds may run: its runners, what each other worker lacks, whether only runners may build.
    struct Placement: Sendable {
        var runners: Set<String>
        var lacking: [String: [ISAFeature]]
        var strict: Bool
    }

    /// Each profile's placement.
    func placements(for profiles: [ClassProfile]) -> [ClassName: Placement] {
        Dictionary(uniqueKeysWithValues: profiles.map { profile in
            let (runners, lacking) = runners(for: profile.requirements)
            return (profile.name, Placement(runners: runners, lacking: lacking, strict: profile.cpu.strictBuildHosts))
        })
    }

    /// The jobs with their class's runners set (jobs of classes without a placement, `_host`'s, keep theirs).
    static func place(_ jobs: [BuildJob], _ placements: [ClassName: Placement]) -> [BuildJob] {
        jobs.map { job in
            guard let place = placements[job.id.nodeClass] else { return job }
            var job = job
            job.runners = place.runners
            job.runnersOnly = place.strict
            return job
        }
    }
}

extension WorkerSlots {
    /// The scheduler's view of a configured worker: its arches, build slots and speed.
    init(worker: WorkerSpec) {
        self.init(name: worker.name, arches: Set(worker.arches.map(\.rawValue)), jobs: worker.jobs, speed: worker.speed)
    }
}
