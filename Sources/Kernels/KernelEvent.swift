import FarmModel

/// What a kernel build reports as it goes; Farm maps these onto its own run events.
public enum KernelEvent: Sendable, Hashable {
    /// A long step said once: the source unpacked, configured.
    case progress(String)
    /// A kernel build started (not cached) on `host` (a worker name); its output goes to `log` on the coordinator.
    case building(ClassName, key: String, host: String, log: String)
    /// A kernel is ready: built in `seconds`, or found in the cache (`cached`).
    case built(ClassName, release: String, key: String, seconds: Double, cached: Bool)
    /// An out-of-tree module was built against the kernel, or failed to.
    case moduleBuilt(ClassName, module: String, release: String, seconds: Double, succeeded: Bool)
}
