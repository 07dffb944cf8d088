import FarmModel

/// What a farm run reports while it works; the CLI renders these (live view, plain lines, verbose).
public enum FarmEvent: Sendable {
    case planning(ClassName)
    case planned(ClassName, toBuild: [CPV], emptyTree: Bool)
    case distfilesReady(count: Int, copied: Int)
    /// The builds about to be dispatched (`CLASS/cpv`) and the ones each waits for.
    case scheduled([String: [String]])
    case buildStarted(ClassName, CPV, worker: String)
    case buildOutput(ClassName, CPV, line: String)
    case buildFinished(ClassName, CPV, worker: String, succeeded: Bool, seconds: Double, logPath: String)
    case buildSkipped(ClassName, CPV, because: CPV)
    /// A class kernel's source being unpacked or configured (long steps, said once).
    case kernelProgress(String)
    /// A chroot-mode class's build root was made anew from its stage, setup and Portage (docs/chroot-builds.md).
    case buildRootMade(ClassName, seconds: Double, log: String)
    /// A class kernel build started (not cached) on `worker`; its output goes to `log` on the coordinator.
    case kernelBuilding(ClassName, key: String, worker: String, log: String)
    /// A class kernel is ready: built in `seconds`, or found in the cache (`cached`, shared with other classes).
    case kernelBuilt(ClassName, release: String, key: String, seconds: Double, cached: Bool)
    /// An out-of-tree module was built against the class's kernel, or failed to.
    case moduleBuilt(ClassName, module: String, release: String, seconds: Double, succeeded: Bool)
    case assembling(ClassName, generation: Int, packages: Int)
    /// `installed` of `packages` were installed (all for a fresh assembly; the changed ones when the generation
    /// was made from a copy of the previous one), in `seconds` from the start of assembly to `current` switched, of
    /// which `merging` installing the binpkgs (`[farm] merger`).
    case published(ClassName, generation: Int, packages: Int, installed: Int, seconds: Double, merging: Double)
    case unchanged(ClassName, generation: Int)
    /// The class's inputs are what they were when run `since` planned nothing for it: not planned, root unchanged.
    case notPlanned(ClassName, generation: Int, since: Int64)
    /// Network-boot files rewritten after roots changed (see `Farm.syncNetworkBoot`).
    case networkBoot(NetworkBootReport)
    /// Generations beyond `keep_generations` whose directories were deleted.
    case pruned(ClassName, generations: [Int])
    case classFailed(ClassName, reason: String)
    /// Another run holds the farm lock; this one waits for it (`--wait`).
    case waitingForLock(LockHolder?)
    /// A run died before this one: what it left behind was cleaned up.
    case recovered(Recovery)
    /// The run's id in the store and the repository states every class of it uses.
    case pinned(run: Int64, [RepositoryState])
    /// The sync step ran (`[farm] sync`).
    case synced(SyncResult)
    /// `gc` deleted generations and binpkgs no kept generation holds.
    case collected(GCReport)
    case warning(String)
}
