import FarmModel

/// Identifies one package build of one class.
public struct JobID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The node class the package is built for.
    public var nodeClass: ClassName
    /// The package version to build.
    public var cpv: CPV

    public init(_ nodeClass: ClassName, _ cpv: CPV) {
        self.nodeClass = nodeClass
        self.cpv = cpv
    }

    public var description: String { "\(nodeClass)/\(cpv)" }
    public static func < (a: JobID, b: JobID) -> Bool { (a.nodeClass, a.cpv) < (b.nodeClass, b.cpv) }
}

/// One package build to place on a worker, with the builds it must wait for.
public struct BuildJob: Sendable, Hashable {
    /// Which class and package.
    public var id: JobID
    /// The architecture a worker must be able to build (`x86`, `amd64`).
    public var arch: String
    /// Builds of the same class that must finish first.
    public var dependencies: Set<JobID>
    /// Expected duration in seconds on a worker of speed 1.0 (from past builds, or an estimate).
    public var estimatedSeconds: Double
    /// Workers whose own CPU runs the code this build produces (and runs while building: tests, generators);
    /// nil when any worker will do (build-host tools).
    public var runners: Set<String>?
    /// When true, the build runs only on `runners`; otherwise, with no runner able to take it, on any worker.
    public var runnersOnly: Bool

    public init(id: JobID, arch: String, dependencies: Set<JobID> = [], estimatedSeconds: Double = 10,
                runners: Set<String>? = nil, runnersOnly: Bool = false) {
        self.id = id
        self.arch = arch
        self.dependencies = dependencies
        self.estimatedSeconds = estimatedSeconds
        self.runners = runners
        self.runnersOnly = runnersOnly
    }
}

/// A worker as the scheduler sees it: what it can build, how many at once, how fast.
public struct WorkerSlots: Sendable, Hashable {
    /// The worker's name from workers.conf.
    public var name: String
    /// Architectures it can build.
    public var arches: Set<String>
    /// Builds it runs at once.
    public var jobs: Int
    /// Relative speed (1.0 = reference).
    public var speed: Double

    public init(name: String, arches: Set<String>, jobs: Int, speed: Double = 1.0) {
        self.name = name
        self.arches = arches
        self.jobs = jobs
        self.speed = speed
    }
}

/// How one build ended, as the executor reports it.
public enum BuildOutcome: Sendable, Hashable {
    case succeeded
    case failed(reason: String)
    /// The build died of SIGILL: code ran that the worker's CPU lacks instructions for.
    case illegalInstruction(reason: String)
    /// The worker went away during the build (disconnected, died, unreachable): not the package's fault.
    case workerLost(reason: String)
}

/// Runs one build on one worker. Declared here, implemented by the farm (emerge on a worker) and by test doubles.
public protocol BuildExecutor: Sendable {
    /// Builds `job` on `worker`; returns how it ended. Thrown errors count as failures.
    func execute(_ job: BuildJob, on worker: String) async throws -> BuildOutcome
}
