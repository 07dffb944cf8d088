import FarmModel

/// What a farm run reports while it works; the CLI renders these (live view, plain lines, verbose).
public enum FarmEvent: Sendable {
    case planning(ClassName)
    case planned(ClassName, toBuild: [CPV], emptyTree: Bool)
    case distfilesReady(count: Int, copied: Int)
    case buildStarted(ClassName, CPV, worker: String)
    case buildOutput(ClassName, CPV, line: String)
    case buildFinished(ClassName, CPV, worker: String, succeeded: Bool, seconds: Double, logPath: String)
    case buildSkipped(ClassName, CPV, because: CPV)
    /// A class kernel's source being unpacked or configured (long steps, said once).
    case kernelProgress(String)
    /// A class kernel build started (not cached); its output goes to `log`.
    case kernelBuilding(ClassName, key: String, log: String)
    /// A class kernel is ready: built in `seconds`, or found in the cache (`cached`, shared with other classes).
    case kernelBuilt(ClassName, release: String, key: String, seconds: Double, cached: Bool)
    /// An out-of-tree module was built against the class's kernel, or failed to.
    case moduleBuilt(ClassName, module: String, release: String, seconds: Double, succeeded: Bool)
    case assembling(ClassName, generation: Int, packages: Int)
    /// `installed` of `packages` were installed (all for a fresh assembly; the changed ones when the generation
    /// was made from a copy of the previous one), in `seconds` from the start of assembly to `current` switched.
    case published(ClassName, generation: Int, packages: Int, installed: Int, seconds: Double)
    case unchanged(ClassName, generation: Int)
    /// Network-boot files rewritten after roots changed (see `Farm.syncNetworkBoot`).
    case networkBoot(NetworkBootReport)
    /// Generations beyond `keep_generations` whose directories were deleted.
    case pruned(ClassName, generations: [Int])
    case classFailed(ClassName, reason: String)
    case warning(String)
}

/// How one class ended in a build run.
public enum ClassOutcome: Sendable, Hashable {
    case published(generation: Int)
    case unchanged(generation: Int)
    case failed(reason: String)
}

/// The summary of a `farmctl build` run.
public struct BuildSummary: Sendable {
    /// Per class: its outcome, packages built and failed.
    public struct ClassResult: Sendable {
        public var nodeClass: ClassName
        public var outcome: ClassOutcome
        public var built: Int
        public var failed: Int
    }

    public var classes: [ClassResult]
    public var seconds: Double

    /// True when every class published or was unchanged.
    public var succeeded: Bool {
        classes.allSatisfy { if case .failed = $0.outcome { false } else { true } }
    }
}
