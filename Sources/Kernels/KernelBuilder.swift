import Digests
import FarmConfig
import FarmModel
import Foundation
import Workers

/// A class's kernel and modules, built and laid out as they go into a root.
public struct BuiltKernel: Sendable, Equatable {
    /// The kernel's cache key: source, version, final .config, compiler and arch.
    public var key: String
    /// `make kernelrelease`, e.g. `6.1.192`.
    public var release: String
    /// The modules' cache key (kernel key plus each module source); equals `key` with no modules.
    public var modulesKey: String
    /// `boot/` and `lib/modules/<release>/`, depmod done: copied into each generation as is.
    public var tree: String
    /// The out-of-tree module files under `lib/modules/<release>/extra/`, e.g. `farmmark.ko`.
    public var moduleFiles: [String]

    /// What a generation records as its kernel key (`roots diff` and the unchanged check compare it).
    public var storeKey: String { "\(key) \(modulesKey)" }
}

/// Builds class kernels (kbuild, out of tree) and their out-of-tree modules, cached under `<state>/kernels`.
///
/// Layout: `src/<tarball name>/` (unpacked once), `configs/<inputs>.config` (the final .config per configuration
/// input), `<key>/build/` (kbuild's `O=`), `<key>/modules-<modules key>/` (module copies, logs, and `root/`, the
/// files a root receives). A `.done` stamp is written last, so an interrupted build is resumed by the next run.
///
/// The build host is the coordinator or a worker (`KernelHost`). On a worker the same layout lives under its
/// workdir; the coordinator's cache (`mirror`) is checked first, keeps the logs, and receives the finished `root/`.
public struct KernelBuilder: Sendable {
    /// The cache on the build host.
    let directory: String
    let host: any KernelHost
    /// The coordinator's cache when the build host is a worker; nil when they are one.
    let mirror: String?
    /// The build host's name in events (the worker's name in workers.conf).
    let hostName: String
    let events: @Sendable (KernelEvent) -> Void

    /// A builder caching under `directory` (the farm's `<state>/kernels`) on the coordinator.
    public init(directory: String, hostName: String = "local", events: @escaping @Sendable (KernelEvent) -> Void) {
        self.init(directory: directory, host: LocalKernelHost(), mirror: nil, hostName: hostName, events: events)
    }

    /// A builder whose kbuild runs on `host`, caching under `directory` there; `mirror` is the coordinator's cache
    /// (nil when `host` is the coordinator).
    public init(directory: String, host: any KernelHost, mirror: String?, hostName: String,
                events: @escaping @Sendable (KernelEvent) -> Void) {
        self.directory = directory
        self.host = host
        self.mirror = mirror
        self.hostName = hostName
        self.events = events
    }

    /// The coordinator's cache: locks, logs and the finished trees roots take.
    var local: String { mirror ?? directory }

    /// Where the coordinator keeps what the host writes at `hostPath` (logs): the same place under `local`.
    func localPath(_ hostPath: String) -> String {
        guard let mirror, hostPath.hasPrefix(directory) else { return hostPath }
        return mirror + hostPath.dropFirst(directory.count)
    }

    /// Builds (or finds cached) the kernel and modules `kernel` describes, for `nodeClass`.
    public func build(_ kernel: ClassKernel, for nodeClass: ClassName) async throws -> BuiltKernel {
        try kernel.checkSource()
        let source = try await FileLock.holding("\(local)/locks/source-\(try Self.digest([host.endpoint, kernel.source.value.path]))") {
            try await prepareSource(kernel)
        }
        let version = try await capture(kbuild(source, kernel, output: nil, ["-s", "kernelversion"])).trimmingCharacters(in: .whitespacesAndNewlines)
        guard kernel.accepts(kernelVersion: version) else {
            throw ConfigError(.invalidValue, at: kernel.version.location,
                              "[kernel] version is \(kernel.version.value), but \(kernel.source.value.path) holds kernel \(version)",
                              fix: "set version = \"\(version)\", or point `source` at a \(kernel.version.value) kernel")
        }
        let compiler = try await capture(Command("gcc", ["--version"])).split(separator: "\n").first.map(String.init) ?? "gcc"
        let config = try await configure(kernel, source: source, compiler: compiler, nodeClass: nodeClass)
        let key = try Self.digest(["source=\(source.identity)", "version=\(version)", "arch=\(kernel.kbuildArch)",
                                   "config=\(try Digest.hex(.sha256, of: config))", "compiler=\(compiler)"])
        let modulesKey = try Self.modulesKey(kernel, key: key)
        return try await FileLock.holding("\(local)/locks/\(key)") {
            // Another class's build of the same kernel, here or on any worker, is taken as it is.
            if !source.mutable, let cached = Self.finished(in: local, key: key, modulesKey: modulesKey) {
                events(.built(nodeClass, release: cached.release, key: key, seconds: 0, cached: true))
                return cached
            }
            let (release, rebuilt) = try await buildKernel(kernel, source: source, key: key, config: config, nodeClass: nodeClass)
            let built = try await buildModules(kernel, source: source, key: key, modulesKey: modulesKey, release: release,
                                               kernelRebuilt: rebuilt, nodeClass: nodeClass)
            guard mirror != nil else { return built }
            return try await bringBack(built)
        }
    }

    /// An unpacked kernel tree and what identifies its content.
    struct Source {
        var path: String
        /// For a tarball: its name and SHA-256; for a directory: its path (kbuild notices edits there itself).
        var identity: String
        /// True when the tree can change under the same identity (a directory): make always runs.
        var mutable: Bool
    }

    /// The source tree on the build host: the directory itself (on a worker: its copy, sent again when it changed),
    /// or the tarball unpacked once under `src/`.
    private func prepareSource(_ kernel: ClassKernel) async throws -> Source {
        let path = kernel.source.value.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            guard mirror != nil else { return Source(path: path, identity: "dir:\(path)", mutable: true) }
            let copy = "\(directory)/src/dir-\(try Self.digest([path]))"
            let stamp = try await onOwnThread(named: "farmctl-kernel-stamp") { try TreeDigest.metadataStamp(path) }
            if try await host.text(copy + ".farmctl-sent") != stamp {
                events(.progress("sending \(path) to worker \(hostName)"))
                try await host.put(path, to: copy)
                try await host.write(Data(stamp.utf8), to: copy + ".farmctl-sent")
            }
            return Source(path: copy, identity: "dir:\(path)", mutable: true)
        }
        var name = kernel.source.value.lastPathComponent
        for suffix in [".tar.xz", ".tar.gz", ".tar.bz2", ".tgz", ".tar"] where name.hasSuffix(suffix) {
            name.removeLast(suffix.count)
            break
        }
        let tree = "\(directory)/src/\(name)"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let stamp = "\((attributes[.size] as? NSNumber)?.int64Value ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) \(path)"
        let stampFile = tree + "/.farmctl-unpacked"
        if let text = try await host.text(stampFile), let line = text.split(separator: "\n").first,
           line == stamp, let sha = text.split(separator: "\n").dropFirst().first {
            return Source(path: tree, identity: "\(name) sha256=\(sha)", mutable: false)
        }
        let tarballURL = kernel.source.value
        let sha = try await onOwnThread(named: "farmctl-kernel-digest") { try Digest.hex(.sha256, ofFile: tarballURL) }
        var tarball = path
        if mirror != nil {
            events(.progress("sending \(path) to worker \(hostName)"))
            tarball = "\(directory)/inputs/\(kernel.source.value.lastPathComponent)"
            try await host.put(path, to: tarball)
        }
        events(.progress("unpacking \(path) into \(tree)\(mirror == nil ? "" : " on worker \(hostName)")"))
        let partial = tree + ".partial"
        try await host.remove(partial)
        try await host.remove(tree)
        try await host.makeDirectory(partial)
        try await runChecked(Command("tar", ["-xf", tarball, "-C", partial, "--strip-components=1"]), log: nil,
                             problem: "unpacking the kernel source \(path) on \(hostName) failed",
                             fix: "check the tarball (`tar -tf \(path)`) and the free space under \(directory) on \(hostName)")
        try await host.write(Data("\(stamp)\n\(sha)\n".utf8), to: partial + "/.farmctl-unpacked")
        try await host.move(partial, to: tree)
        if tarball != path { try await host.remove(tarball) }
        return Source(path: tree, identity: "\(name) sha256=\(sha)", mutable: false)
    }

    /// The final .config for the class: the base, the fragments merged in order, `olddefconfig`, every fragment line
    /// checked. Cached by its inputs, so a run with nothing changed does not configure again.
    private func configure(_ kernel: ClassKernel, source: Source, compiler: String, nodeClass: ClassName) async throws -> Data {
        var inputs = ["source=\(source.identity)", "arch=\(kernel.kbuildArch)", "compiler=\(compiler)", "base=\(kernel.config.value)"]
        if case .file(let url) = kernel.config.value { inputs.append(try Digest.hex(.sha256, ofFile: url)) }
        for fragment in kernel.fragments { inputs.append("fragment=\(try Digest.hex(.sha256, ofFile: fragment.value))") }
        let cached = "\(directory)/configs/\(try Self.digest(inputs)).config"
        if !source.mutable, let data = try await host.read(cached) { return data }

        let scratch = "\(directory)/configure/\(nodeClass)"
        try await host.remove(scratch)
        try await host.makeDirectory(scratch)
        let log = localPath(scratch) + ".log"
        try? FileManager.default.removeItem(atPath: log)
        switch kernel.config.value {
        case .target(let target):
            try await runMake(source, kernel, output: scratch, [target], log: log, what: "`make \(target)`", at: kernel.config.location)
        case .file(let url):
            try await host.put(url.path, to: scratch + "/.config")
        }
        if !kernel.fragments.isEmpty {
            // The fragments as the build host sees them (on a worker: copies sent beside the scratch tree).
            var fragments: [String] = []
            for (index, fragment) in kernel.fragments.enumerated() {
                guard mirror != nil else { fragments.append(fragment.value.path); continue }
                let copy = "\(scratch).fragments/\(index)-\(fragment.value.lastPathComponent)"
                try await host.put(fragment.value.path, to: copy)
                fragments.append(copy)
            }
            try await runChecked(Command(source.path + "/scripts/kconfig/merge_config.sh",
                                         ["-m", "-O", scratch, scratch + "/.config"] + fragments,
                                         environment: ["ARCH": kernel.kbuildArch]),
                                 log: log, problem: "merging the [kernel] fragments of class \(nodeClass) failed; log: \(log)",
                                 fix: "check the fragments hold only CONFIG_… lines (\(kernel.location))")
        }
        try await runMake(source, kernel, output: scratch, ["olddefconfig"], log: log, what: "`make olddefconfig`", at: kernel.location)
        guard let config = try await host.read(scratch + "/.config") else {
            throw Problem(problem: "kbuild wrote no .config for class \(nodeClass) on \(hostName); log: \(log)", fix: "read the log")
        }
        try await host.remove(scratch)
        try await host.remove(scratch + ".fragments")
        try KernelFragmentCheck.check(config: String(decoding: config, as: UTF8.self), fragments: kernel.fragments.map(\.value))
        try await host.write(config, to: cached)
        return config
    }

    /// Builds `bzImage modules` in `<key>/build`; returns the release and whether the image changed. Skipped when
    /// the build is done and its source cannot change; a directory source gets an incremental `make`.
    private func buildKernel(_ kernel: ClassKernel, source: Source, key: String, config: Data,
                             nodeClass: ClassName) async throws -> (release: String, rebuilt: Bool) {
        let build = "\(directory)/\(key)/build"
        let done = "\(directory)/\(key)/kernel.done"
        let image = build + "/arch/x86/boot/bzImage"
        let previous = try await host.text(done).flatMap { $0.isEmpty ? nil : $0 }
        if !source.mutable, let previous {
            events(.built(nodeClass, release: previous, key: key, seconds: 0, cached: true))
            return (previous, false)
        }
        let before = previous == nil ? nil : try await host.stamp(image)
        try await host.makeDirectory(build)
        // Written only when it differs, so a resumed build keeps what it has compiled.
        if try await host.read(build + "/.config") != config {
            try await host.write(config, to: build + "/.config")
        }
        let log = localPath("\(directory)/\(key)/build.log")
        if previous == nil { events(.building(nodeClass, key: key, host: hostName, log: log)) }
        let started = Date()
        let jobs = try await processors()
        try await runMake(source, kernel, output: build, ["-j\(jobs)", "bzImage", "modules"], log: log,
                          what: "the kernel build for class \(nodeClass) on \(hostName)", at: kernel.location)
        let release = try await capture(kbuild(source, kernel, output: build, ["-s", "kernelrelease"])).trimmingCharacters(in: .whitespacesAndNewlines)
        for file in ["arch/x86/boot/bzImage", "System.map"] where !(try await host.exists("\(build)/\(file)")) {
            throw Problem(problem: "the kernel build for class \(nodeClass) wrote no \(file) (\(build) on \(hostName)); log: \(log)",
                            fix: "read the log; the kernel must build `bzImage` for ARCH=\(kernel.kbuildArch)")
        }
        try await host.write(Data(release.utf8), to: done)
        let after = try await host.stamp(image)
        let rebuilt = before == nil || before != after || previous != release
        events(.built(nodeClass, release: release, key: key, seconds: Date().timeIntervalSince(started), cached: !rebuilt))
        return (release, rebuilt)
    }

    /// The build host's processor count, for `make -j`.
    private func processors() async throws -> Int {
        guard mirror != nil else { return max(1, ProcessInfo.processInfo.activeProcessorCount) }
        return max(1, Int(try await capture(Command("nproc")).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1)
    }

    public static func digest(_ lines: [String]) throws -> String {
        String(try Digest.hex(.sha256, of: Data(lines.joined(separator: "\n").utf8)).prefix(16))
    }

    // MARK: commands

    /// `make -C SRC [O=OUTPUT] ARCH=… ARGS`: every kbuild command farmctl runs.
    func kbuild(_ source: Source, _ kernel: ClassKernel, output: String?, _ arguments: [String]) -> Command {
        Command("make", ["-C", source.path] + (output.map { ["O=\($0)"] } ?? []) + ["ARCH=\(kernel.kbuildArch)"] + arguments)
    }

    /// `make -C SRC O=OUTPUT ARCH=… ARGS` with its output in `log`; a failure names `what` and where it is configured.
    func runMake(_ source: Source, _ kernel: ClassKernel, output: String, _ arguments: [String], log: String, what: String,
                 at location: SourceLocation) async throws {
        try await runChecked(kbuild(source, kernel, output: output, arguments),
                             log: log, problem: "\(what) failed; log: \(log)",
                             fix: "read the log's end; the class's kernel is configured at \(location)")
    }

    func runChecked(_ command: Command, log: String?, problem: String, fix: String) async throws {
        let result = try await host.run(command, logPath: log)
        guard result.termination.succeeded else {
            throw Problem(problem: "\(problem) (\(result.termination)): \(result.tail.suffix(4).joined(separator: " | "))", fix: fix)
        }
    }

    func capture(_ command: Command) async throws -> String {
        let (result, output) = try await host.capture(command)
        guard result.termination.succeeded else {
            throw Problem(problem: "`\(command)` failed (\(result.termination)): \(result.tail.suffix(4).joined(separator: " | "))",
                            fix: "check the kernel source and that make and gcc are installed")
        }
        return output
    }
}
