import FarmModel
import Foundation

/// How one class ended in a build run.
public enum ClassOutcome: Sendable, Hashable {
    case published(generation: Int)
    case unchanged(generation: Int)
    case failed(reason: String)
}

/// The summary of a `farmctl build` or `farmctl nightly` run.
public struct BuildSummary: Sendable, Encodable {
    /// Per class: its outcome, packages built, reused and failed, and binpkgs found damaged.
    public struct ClassResult: Sendable, Encodable {
        public var nodeClass: ClassName
        public var outcome: ClassOutcome
        public var built: Int
        public var failed: Int
        /// Packages of the class's root taken from existing binpkgs (not built in this run).
        public var reused: Int = 0
        /// Binpkgs whose SHA-256 no longer matched their build: quarantined and rebuilt.
        public var damaged: [String] = []

        enum CodingKeys: String, CodingKey { case `class`, root, generation, reason, built, failed, reused, damaged }

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
        }
    }

    /// Per worker: builds it ran in this run and how long it was busy with them (seconds, summed over slots).
    public struct WorkerResult: Sendable, Encodable, Hashable {
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

    /// True when every class published or was unchanged.
    public var succeeded: Bool {
        classes.allSatisfy { if case .failed = $0.outcome { false } else { true } }
    }
}

/// The sync step of a nightly: the command, how long it took and where its output went.
public struct SyncResult: Sendable, Encodable, Hashable {
    public var command: String
    public var succeeded: Bool
    public var seconds: Double
    public var log: String
}

/// What `gc` removed: generations beyond `keep_generations` and binpkgs no kept generation holds.
public struct GCReport: Sendable, Encodable, Hashable {
    /// `CLASS/N` of each generation whose directory was deleted.
    public var generations: [String] = []
    /// PKGDIR paths of the deleted binpkgs.
    public var binpkgs: [String] = []
    public var bytes: Int64 = 0
    /// Extracted seed stages (`<state>/seed-stages/<sha256>`) that no class names any more.
    public var stages: [String] = []

    public var isEmpty: Bool { generations.isEmpty && binpkgs.isEmpty && stages.isEmpty }
}
