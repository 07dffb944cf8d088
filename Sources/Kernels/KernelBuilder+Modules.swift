import Digests
import FarmConfig
import FarmModel
import Foundation
import Workers

extension KernelBuilder {
    /// The modules' cache key: the kernel key and each module source's tree digest; the kernel key with no modules.
    static func modulesKey(_ kernel: ClassKernel, key: String) throws -> String {
        guard !kernel.modules.isEmpty else { return key }
        var inputs = ["kernel=\(key)"]
        for module in kernel.modules { inputs.append("module=\(module.value.lastPathComponent) \(try TreeDigest.compute(module.value.path))") }
        return try digest(inputs)
    }

    /// The finished tree of `key` and `modulesKey` in the coordinator's cache `directory`, when there is one.
    static func finished(in directory: String, key: String, modulesKey: String) -> BuiltKernel? {
        let work = "\(directory)/\(key)/modules-\(modulesKey)"
        guard let files = try? String(contentsOfFile: work + "/.done", encoding: .utf8),
              let release = try? FileManager.default.contentsOfDirectory(atPath: work + "/root/lib/modules").sorted().first else { return nil }
        return BuiltKernel(key: key, release: release, modulesKey: modulesKey, tree: work + "/root",
                           moduleFiles: files.split(separator: "\n").map(String.init))
    }

    /// Builds each out-of-tree module against the kernel build `key` and lays out the files a root receives:
    /// `boot/{vmlinuz,System.map,config}-<release>` and `lib/modules/<release>/` with the modules under `extra/`,
    /// `depmod -b` done. Cached per kernel and module sources; a kernel change means a new key, so modules are rebuilt.
    func buildModules(_ kernel: ClassKernel, source: Source, key: String, modulesKey: String, release: String, kernelRebuilt: Bool,
                      nodeClass: ClassName) async throws -> BuiltKernel {
        let work = "\(directory)/\(key)/modules-\(modulesKey)"
        let tree = work + "/root"
        let names = kernel.modules.map { $0.value.lastPathComponent }
        if !kernelRebuilt, let files = try await host.text(work + "/.done") {
            return BuiltKernel(key: key, release: release, modulesKey: modulesKey, tree: tree,
                               moduleFiles: files.split(separator: "\n").map(String.init))
        }
        try await host.remove(work)
        try await host.makeDirectory(work + "/src")
        let build = "\(directory)/\(key)/build"
        var moduleFiles: [String] = []
        for (module, name) in zip(kernel.modules, names) {
            // A copy, so the profile's module directory never receives build products.
            let copy = "\(work)/src/\(name)"
            try await host.put(module.value.path, to: copy)
            let log = localPath("\(work)/\(name).log")
            try? FileManager.default.removeItem(atPath: log)
            let started = Date()
            do {
                try await runChecked(kbuild(source, kernel, output: build, ["M=\(copy)", "modules"]),
                                     log: log, problem: "the module \(name) (\(module.location)) failed to build against kernel \(release) on \(hostName)",
                                     fix: "read \(log); the class keeps its published root until the module builds")
            } catch {
                events(.moduleBuilt(nodeClass, module: name, release: release, seconds: Date().timeIntervalSince(started), succeeded: false))
                throw error
            }
            let built = try await host.list(copy).filter { $0.hasSuffix(".ko") }.sorted()
            guard !built.isEmpty else {
                throw Problem(problem: "the module \(name) (\(module.location)) built no .ko file against kernel \(release); log: \(log)",
                                fix: "check its Kbuild names the module (`obj-m := \(name).o`)")
            }
            moduleFiles += built
            events(.moduleBuilt(nodeClass, module: name, release: release, seconds: Date().timeIntervalSince(started), succeeded: true))
        }
        try await layOut(kernel, source: source, build: build, release: release, work: work, tree: tree, moduleCopies: names.map { "\(work)/src/\($0)" })
        let modules = "\(tree)/lib/modules/\(release)"
        let listed = Self.depmodListed(text: try await host.text(modules + "/modules.dep") ?? "")
        for file in moduleFiles where !listed.contains("extra/\(file)") {
            throw Problem(problem: "\(modules)/modules.dep does not list extra/\(file) after depmod (on \(hostName))",
                          fix: "read \(localPath(work))/install.log")
        }
        try await host.write(Data(moduleFiles.joined(separator: "\n").utf8), to: work + "/.done")
        return BuiltKernel(key: key, release: release, modulesKey: modulesKey, tree: tree, moduleFiles: moduleFiles)
    }

    /// The module paths `modules.dep` in a `lib/modules/<release>` directory lists (relative, e.g. `extra/farmmark.ko`).
    public static func depmodListed(_ modulesDirectory: String) -> Set<String> {
        depmodListed(text: (try? String(contentsOfFile: modulesDirectory + "/modules.dep", encoding: .utf8)) ?? "")
    }

    /// The module paths a `modules.dep` text lists.
    static func depmodListed(text: String) -> Set<String> {
        Set(text.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) })
    }

    /// `modules_install` of the kernel and of each module into `tree`, without the links to this host's source,
    /// `depmod -b`, and the image, System.map and config under `boot/`.
    private func layOut(_ kernel: ClassKernel, source: Source, build: String, release: String, work: String, tree: String,
                        moduleCopies: [String]) async throws {
        let log = localPath(work) + "/install.log"
        try? FileManager.default.removeItem(atPath: log)
        try await host.makeDirectory(tree + "/boot")
        var commands = [kbuild(source, kernel, output: build, ["INSTALL_MOD_PATH=\(tree)", "modules_install"])]
        commands += moduleCopies.map { kbuild(source, kernel, output: build, ["INSTALL_MOD_PATH=\(tree)", "M=\($0)", "INSTALL_MOD_DIR=extra", "modules_install"]) }
        for command in commands {
            try await runChecked(command, log: log, problem: "installing the modules of kernel \(release) failed; log: \(log)",
                                 fix: "read the log")
        }
        let modules = "\(tree)/lib/modules/\(release)"
        for link in ["build", "source"] { try await host.remove("\(modules)/\(link)") }
        try await runChecked(Command("depmod", ["-b", tree, release]), log: log,
                             problem: "`depmod -b \(tree) \(release)` failed; log: \(log)",
                             fix: "install kmod (Debian: apt-get install kmod)")
        for (from, to) in [("arch/x86/boot/bzImage", "vmlinuz"), ("System.map", "System.map"), (".config", "config")] {
            try await host.copy("\(build)/\(from)", to: "\(tree)/boot/\(to)-\(release)")
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
