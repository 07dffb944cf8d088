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
public struct KernelBuilder: Sendable {
    let directory: String
    let transport: any WorkerTransport
    let jobs: Int
    let events: @Sendable (KernelEvent) -> Void

    /// A builder caching under `directory` (the farm's `<state>/kernels`), running kbuild through `transport`.
    public init(directory: String, transport: any WorkerTransport = LocalTransport(), events: @escaping @Sendable (KernelEvent) -> Void) {
        self.directory = directory
        self.transport = transport
        jobs = max(1, ProcessInfo.processInfo.activeProcessorCount)
        self.events = events
    }

    /// Builds (or finds cached) the kernel and modules `kernel` describes, for `nodeClass`.
    public func build(_ kernel: ClassKernel, for nodeClass: ClassName) async throws -> BuiltKernel {
        try kernel.checkSource()
        let source = try await FileLock.holding("\(directory)/locks/source-\(try Self.digest([kernel.source.value.path]))") {
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
        return try await FileLock.holding("\(directory)/locks/\(key)") {
            let (release, rebuilt) = try await buildKernel(kernel, source: source, key: key, config: config, nodeClass: nodeClass)
            return try await buildModules(kernel, source: source, key: key, release: release, kernelRebuilt: rebuilt, nodeClass: nodeClass)
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

    /// The source tree: the directory itself, or the tarball unpacked once under `src/`.
    private func prepareSource(_ kernel: ClassKernel) async throws -> Source {
        let path = kernel.source.value.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return Source(path: path, identity: "dir:\(path)", mutable: true)
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
        if let text = try? String(contentsOfFile: stampFile, encoding: .utf8), let line = text.split(separator: "\n").first,
           line == stamp, let sha = text.split(separator: "\n").dropFirst().first {
            return Source(path: tree, identity: "\(name) sha256=\(sha)", mutable: false)
        }
        events(.progress("unpacking \(path) into \(tree)"))
        let sha = try Digest.hex(.sha256, ofFile: kernel.source.value)
        let partial = tree + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try? FileManager.default.removeItem(atPath: tree)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try await runChecked(Command("tar", ["-xf", path, "-C", partial, "--strip-components=1"]), log: nil,
                             problem: "unpacking the kernel source \(path) failed",
                             fix: "check the tarball (`tar -tf \(path)`) and the free space under \(directory)")
        try "\(stamp)\n\(sha)\n".write(toFile: partial + "/.farmctl-unpacked", atomically: true, encoding: .utf8)
        try FileManager.default.moveItem(atPath: partial, toPath: tree)
        return Source(path: tree, identity: "\(name) sha256=\(sha)", mutable: false)
    }

    /// The final .config for the class: the base, the fragments merged in order, `olddefconfig`, every fragment line
    /// checked. Cached by its inputs, so a run with nothing changed does not configure again.
    private func configure(_ kernel: ClassKernel, source: Source, compiler: String, nodeClass: ClassName) async throws -> Data {
        var inputs = ["source=\(source.identity)", "arch=\(kernel.kbuildArch)", "compiler=\(compiler)", "base=\(kernel.config.value)"]
        if case .file(let url) = kernel.config.value { inputs.append(try Digest.hex(.sha256, ofFile: url)) }
        for fragment in kernel.fragments { inputs.append("fragment=\(try Digest.hex(.sha256, ofFile: fragment.value))") }
        let cached = "\(directory)/configs/\(try Self.digest(inputs)).config"
        if !source.mutable, let data = FileManager.default.contents(atPath: cached) { return data }

        let scratch = "\(directory)/configure/\(nodeClass)"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let log = scratch + ".log"
        try? FileManager.default.removeItem(atPath: log)
        switch kernel.config.value {
        case .target(let target):
            try await runMake(source, kernel, output: scratch, [target], log: log, what: "`make \(target)`", at: kernel.config.location)
        case .file(let url):
            try FileManager.default.copyItem(atPath: url.path, toPath: scratch + "/.config")
        }
        if !kernel.fragments.isEmpty {
            try await runChecked(Command(source.path + "/scripts/kconfig/merge_config.sh",
                                         ["-m", "-O", scratch, scratch + "/.config"] + kernel.fragments.map(\.value.path),
                                         environment: ["ARCH": kernel.kbuildArch]),
                                 log: log, problem: "merging the [kernel] fragments of class \(nodeClass) failed; log: \(log)",
                                 fix: "check the fragments hold only CONFIG_… lines (\(kernel.location))")
        }
        try await runMake(source, kernel, output: scratch, ["olddefconfig"], log: log, what: "`make olddefconfig`", at: kernel.location)
        guard let config = FileManager.default.contents(atPath: scratch + "/.config") else {
            throw Problem(problem: "kbuild wrote no .config for class \(nodeClass); log: \(log)", fix: "read the log")
        }
        try KernelFragmentCheck.check(config: String(decoding: config, as: UTF8.self), fragments: kernel.fragments.map(\.value))
        try FileManager.default.createDirectory(atPath: directory + "/configs", withIntermediateDirectories: true)
        try config.write(to: URL(fileURLWithPath: cached), options: .atomic)
        return config
    }

    /// Builds `bzImage modules` in `<key>/build`; returns the release and whether the image changed. Skipped when
    /// the build is done and its source cannot change; a directory source gets an incremental `make`.
    private func buildKernel(_ kernel: ClassKernel, source: Source, key: String, config: Data,
                             nodeClass: ClassName) async throws -> (release: String, rebuilt: Bool) {
        let build = "\(directory)/\(key)/build"
        let done = "\(directory)/\(key)/kernel.done"
        let image = build + "/arch/x86/boot/bzImage"
        let previous = (try? String(contentsOfFile: done, encoding: .utf8)).flatMap { $0.isEmpty ? nil : $0 }
        if !source.mutable, let previous {
            events(.built(nodeClass, release: previous, key: key, seconds: 0, cached: true))
            return (previous, false)
        }
        let imageDate = { (try? FileManager.default.attributesOfItem(atPath: image))?[.modificationDate] as? Date }
        let before = previous == nil ? nil : imageDate()
        try FileManager.default.createDirectory(atPath: build, withIntermediateDirectories: true)
        // Written only when it differs, so a resumed build keeps what it has compiled.
        if FileManager.default.contents(atPath: build + "/.config") != config {
            try config.write(to: URL(fileURLWithPath: build + "/.config"))
        }
        let log = "\(directory)/\(key)/build.log"
        if previous == nil { events(.building(nodeClass, key: key, log: log)) }
        let started = Date()
        try await runMake(source, kernel, output: build, ["-j\(jobs)", "bzImage", "modules"], log: log,
                          what: "the kernel build for class \(nodeClass)", at: kernel.location)
        let release = try await capture(kbuild(source, kernel, output: build, ["-s", "kernelrelease"])).trimmingCharacters(in: .whitespacesAndNewlines)
        for file in ["arch/x86/boot/bzImage", "System.map"] where !FileManager.default.fileExists(atPath: "\(build)/\(file)") {
            throw Problem(problem: "the kernel build for class \(nodeClass) wrote no \(file) (\(build)); log: \(log)",
                            fix: "read the log; the kernel must build `bzImage` for ARCH=\(kernel.kbuildArch)")
        }
        try release.write(toFile: done, atomically: true, encoding: .utf8)
        let rebuilt = before == nil || before != imageDate() || previous != release
        events(.built(nodeClass, release: release, key: key, seconds: Date().timeIntervalSince(started), cached: !rebuilt))
        return (release, rebuilt)
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
        let result = try await transport.run(command, logPath: log, onLine: { _ in })
        guard result.termination.succeeded else {
            throw Problem(problem: "\(problem) (\(result.termination)): \(result.tail.suffix(4).joined(separator: " | "))", fix: fix)
        }
    }

    func capture(_ command: Command) async throws -> String {
        let (result, output) = try await transport.capture(command, limit: 1 << 20)
        guard result.termination.succeeded else {
            throw Problem(problem: "`\(command)` failed (\(result.termination)): \(result.tail.suffix(4).joined(separator: " | "))",
                            fix: "check the kernel source and that make and gcc are installed")
        }
        return output
    }
}
