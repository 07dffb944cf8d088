import FarmModel
import Foundation

/// How one class ended in a build run.
public enum ClassOutcome: Sendable, Hashable {
    case published(generation: Int)
    case unchanged(generation: Int)
    case failed(reason: String)
}

/// The summary of a `farmctl build` or `farmctl nightly` run.
public struct BuildSummary: Sendable, Codable {
    /// Per class: its outcome, packages built, reused and failed, and binpkgs found damaged.
    public struct ClassResult: Sendable, Codable {
        public var nodeClass: ClassName
        public var outcome: ClassOutcome
        public var built: Int
        public var failed: Int
        /// Packages of the class's root taken from existing binpkgs (not built in this run).
        public var reused: Int = 0
        /// Binpkgs whose SHA-256 no longer matched their build: quarantined and rebuilt.
        public var damaged: [String] = []
        /// The run whose empty plan this one reused: the class's inputs were unchanged, so emerge was not started.
        public var notPlannedSince: Int64?

        enum CodingKeys: String, CodingKey { case `class`, root, generation, reason, built, failed, reused, damaged, notPlannedSince }

        public init(nodeClass: ClassName, outcome: ClassOutcome, built: Int, failed: Int, reused: Int = 0, damaged: [String] = []) {
            self.nodeClass = nodeClass
            self.outcome = outcome
            self.built = built
            self.failed = failed
            self.reused = reused
            self.damaged = damaged
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let name = try container.decode(String.self, forKey: .class)
            guard let nodeClass = ClassName(name) else {
                throw DecodingError.dataCorruptedError(forKey: .class, in: container, debugDescription: "not a class name: \(name)")
            }
            self.nodeClass = nodeClass
            switch try container.decode(String.self, forKey: .root) {
            case "published": outcome = .published(generation: try container.decode(Int.self, forKey: .generation))
            case "unchanged": outcome = .unchanged(generation: try container.decode(Int.self, forKey: .generation))
            default: outcome = .failed(reason: try container.decodeIfPresent(String.self, forKey: .reason) ?? "")
            }
            built = try container.decode(Int.self, forKey: .built)
            failed = try container.decode(Int.self, forKey: .failed)
            reused = try container.decodeIfPresent(Int.self, forKey: .reused) ?? 0
            damaged = try container.decodeIfPresent([String].self, forKey: .damaged) ?? []
            notPlannedSince = try container.decodeIfPresent(Int64.self, forKey: .notPlannedSince)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(nodeClass.rawValue, forKey: .class)
            switch outcome {
            case .published(let number):
                try container.encode("published", forKey: .root)
                try container.encode(number, forKey: .generation)
            case .unchanged(let number):
                try container.encode("unchanged", forKey: .root)
                try container.encode(number, forKey: .generation)
            case .failed(let reason):
                try container.encode("failed", forKey: .root)
                try container.encode(reason, forKey: .reason)
            }
            try container.encode(built, forKey: .built)
            try container.encode(failed, forKey: .failed)
            try container.encode(reused, forKey: .reused)
            try container.encode(damaged, forKey: .damaged)
            try container.encodeIfPresent(notPlannedSince, forKey: .notPlannedSince)
        }
    }

    /// Per worker: builds it ran in this run and how long it was busy with them (seconds, summed over slots).
    public struct WorkerResult: Sendable, Codable, Hashable {
        public var name: String
        public var builds: Int
        public var failed: Int
        public var busySeconds: Double
    }

    public var classes: [ClassResult]
    public var seconds: Double
    /// The run's id in the provenance store (`farmctl query runs`).
    public var run: Int64? = nil
    public var command: String = "build"
    public var workers: [WorkerResult] = []
    /// The repository states every class of the run used.
    public var inputs: [RepositoryState] = []
    /// What a dead previous run left and this one cleaned up.
    public var recovery: Recovery? = nil
    public var sync: SyncResult? = nil
    public var gc: GCReport? = nil

    public init(classes: [ClassResult], seconds: Double) {
        self.classes = classes
        self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey { case classes, seconds, run, command, workers, inputs, recovery, sync, gc }

    /// Reads a stored summary; fields later versions added default when an older run's summary lacks them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        classes = try container.decode([ClassResult].self, forKey: .classes)
        seconds = try container.decodeIfPresent(Double.self, forKey: .seconds) ?? 0
        run = try container.decodeIfPresent(Int64.self, forKey: .run)
        command = try container.decodeIfPresent(String.self, forKey: .command) ?? "build"
        workers = try container.decodeIfPresent([WorkerResult].self, forKey: .workers) ?? []
        inputs = try container.decodeIfPresent([RepositoryState].self, forKey: .inputs) ?? []
        recovery = try container.decodeIfPresent(Recovery.self, forKey: .recovery)
        sync = try container.decodeIfPresent(SyncResult.self, forKey: .sync)
        gc = try container.decodeIfPresent(GCReport.self, forKey: .gc)
    }

    /// True when every class published or was unchanged.
    public var succeeded: Bool {
        classes.allSatisfy { if case .failed = $0.outcome { false } else { true } }
    }
}

/// The sync step of a nightly: the command, how long it took and where its output went.
public struct SyncResult: Sendable, Codable, Hashable {
    public var command: String
    public var succeeded: Bool
    public var seconds: Double
    public var log: String
}

/// What `gc` removed: generations beyond `keep_generations` and binpkgs no kept generation holds.
public struct GCReport: Sendable, Codable, Hashable {
    /// `CLASS/N` of each generation whose directory was deleted.
    public var generations: [String] = []
    /// PKGDIR paths of the deleted binpkgs.
    public var binpkgs: [String] = []
    public var bytes: Int64 = 0
    /// Extracted seed stages (`<state>/seed-stages/<sha256>`) that no class names any more.
    public var stages: [String] = []

    public var isEmpty: Bool { generations.isEmpty && binpkgs.isEmpty && stages.isEmpty }
}
