import Digests
import FarmConfig
import FarmModel
import Foundation
import Workers

extension KernelBuilder {
    /// Builds each out-of-tree module against the kernel build `key` and lays out the files a root receives:
    /// `boot/{vmlinuz,System.map,config}-<release>` and `lib/modules/<release>/` with the modules under `extra/`,
    /// `depmod -b` done. Cached per kernel and module sources; a kernel change means a new key, so modules are rebuilt.
    func buildModules(_ kernel: ClassKernel, source: Source, key: String, release: String, kernelRebuilt: Bool,
                      nodeClass: ClassName) async throws -> BuiltKernel {
        var inputs = ["kernel=\(key)"]
        for module in kernel.modules { inputs.append("module=\(module.value.lastPathComponent) \(try TreeDigest.compute(module.value.path))") }
        let modulesKey = kernel.modules.isEmpty ? key : try Self.digest(inputs)
        let work = "\(directory)/\(key)/modules-\(modulesKey)"
        let tree = work + "/root"
        let names = kernel.modules.map { $0.value.lastPathComponent }
        if !kernelRebuilt, FileManager.default.fileExists(atPath: work + "/.done"),
           let files = try? String(contentsOfFile: work + "/.done", encoding: .utf8) {
            return BuiltKernel(key: key, release: release, modulesKey: modulesKey, tree: tree,
                               moduleFiles: files.split(separator: "\n").map(String.init))
        }
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work + "/src", withIntermediateDirectories: true)
        let build = "\(directory)/\(key)/build"
        var moduleFiles: [String] = []
        for (module, name) in zip(kernel.modules, names) {
            // A copy, so the profile's module directory never receives build products.
            let copy = "\(work)/src/\(name)"
            try FileManager.default.copyItem(atPath: module.value.path, toPath: copy)
            let log = "\(work)/\(name).log"
            let started = Date()
            do {
                try await runChecked(kbuild(source, kernel, output: build, ["M=\(copy)", "modules"]),
                                     log: log, problem: "the module \(name) (\(module.location)) failed to build against kernel \(release)",
                                     fix: "read \(log); the class keeps its published root until the module builds")
            } catch {
                events(.moduleBuilt(nodeClass, module: name, release: release, seconds: Date().timeIntervalSince(started), succeeded: false))
                throw error
            }
            let built = ((try? FileManager.default.contentsOfDirectory(atPath: copy)) ?? []).filter { $0.hasSuffix(".ko") }.sorted()
            guard !built.isEmpty else {
                throw Problem(problem: "the module \(name) (\(module.location)) built no .ko file against kernel \(release); log: \(log)",
                                fix: "check its Kbuild names the module (`obj-m := \(name).o`)")
            }
            moduleFiles += built
            events(.moduleBuilt(nodeClass, module: name, release: release, seconds: Date().timeIntervalSince(started), succeeded: true))
        }
        try await layOut(kernel, source: source, build: build, release: release, work: work, tree: tree, moduleCopies: names.map { "\(work)/src/\($0)" })
        let modules = "\(tree)/lib/modules/\(release)"
        let listed = Self.depmodListed(modules)
        for file in moduleFiles where !listed.contains("extra/\(file)") {
            throw Problem(problem: "\(modules)/modules.dep does not list extra/\(file) after depmod", fix: "read \(work)/install.log")
        }
        try moduleFiles.joined(separator: "\n").write(toFile: work + "/.done", atomically: true, encoding: .utf8)
        return BuiltKernel(key: key, release: release, modulesKey: modulesKey, tree: tree, moduleFiles: moduleFiles)
    }

    /// The module paths `modules.dep` in a `lib/modules/<release>` directory lists (relative, e.g. `extra/farmmark.ko`).
    public static func depmodListed(_ modulesDirectory: String) -> Set<String> {
        let text = (try? String(contentsOfFile: modulesDirectory + "/modules.dep", encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) })
    }

    /// `modules_install` of the kernel and of each module into `tree`, without the links to this host's source,
    /// `depmod -b`, and the image, System.map and config under `boot/`.
    private func layOut(_ kernel: ClassKernel, source: Source, build: String, release: String, work: String, tree: String,
                        moduleCopies: [String]) async throws {
        let log = work + "/install.log"
        try FileManager.default.createDirectory(atPath: tree + "/boot", withIntermediateDirectories: true)
        var commands = [kbuild(source, kernel, output: build, ["INSTALL_MOD_PATH=\(tree)", "modules_install"])]
        commands += moduleCopies.map { kbuild(source, kernel, output: build, ["INSTALL_MOD_PATH=\(tree)", "M=\($0)", "INSTALL_MOD_DIR=extra", "modules_install"]) }
        for command in commands {
            try await runChecked(command, log: log, problem: "installing the modules of kernel \(release) failed; log: \(log)",
                                 fix: "read the log")
        }
        let modules = "\(tree)/lib/modules/\(release)"
        for link in ["build", "source"] { try? FileManager.default.removeItem(atPath: "\(modules)/\(link)") }
        try await runChecked(Command("depmod", ["-b", tree, release]), log: log,
                             problem: "`depmod -b \(tree) \(release)` failed; log: \(log)",
                             fix: "install kmod (Debian: apt-get install kmod)")
        for (from, to) in [("arch/x86/boot/bzImage", "vmlinuz"), ("System.map", "System.map"), (".config", "config")] {
            try FileManager.default.copyItem(atPath: "\(build)/\(from)", toPath: "\(tree)/boot/\(to)-\(release)")
        }
    }
}

/// Checks every option a kernel config fragment sets is in the final .config (merge_config.sh only warns).
enum KernelFragmentCheck {
    /// Throws for the first fragment line whose setting kbuild dropped, naming the fragment's file and line.
    static func check(config: String, fragments: [URL]) throws {
        let lines = Set(config.split(separator: "\n").map(String.init))
        var values: [String: String] = [:]
        for line in lines {
            if let symbol = symbol(of: line) { values[symbol] = line }
        }
        for fragment in fragments {
            let text = try String(contentsOf: fragment, encoding: .utf8)
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard let symbol = symbol(of: line), !lines.contains(line) else { continue }
                // "is not set" is also met by the option being absent (its menu is off).
                if line.hasSuffix(" is not set"), values[symbol] == nil { continue }
                throw Problem(problem: "\(fragment.path):\(index + 1): `\(line)` is not in the final kernel .config (it has "
                                    + "`\(values[symbol] ?? "nothing for \(symbol)")`): an option it depends on is off, or it does not exist in this kernel",
                                fix: "add the options \(symbol) depends on to the fragment (see its `depends on` in the kernel's Kconfig), or remove the line")
            }
        }
    }

    private static func symbol(of line: String) -> String? {
        if line.hasPrefix("CONFIG_"), let equals = line.firstIndex(of: "=") { return String(line[..<equals]) }
        if line.hasPrefix("# CONFIG_"), line.hasSuffix(" is not set") { return line.dropFirst(2).split(separator: " ").first.map(String.init) }
        return nil
    }
}
