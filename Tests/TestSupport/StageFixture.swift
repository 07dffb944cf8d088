import Foundation

/// Small seed stages made by tests: a merged-/usr userland whose `/bin/sh` and `/sbin/init` are tiny static ELF
/// programs (they only exit), OpenRC script stubs, and optionally packages in `var/db/pkg`.
public enum StageFixture {
    /// What the stage's shell is built as.
    public enum Shell: Sendable {
        /// A static i386 ELF (`gcc -m32 -static -nostdlib`).
        case i386
        /// A static x86-64 ELF: the wrong architecture for an x86 class.
        case x86_64
        /// A dynamic i386 ELF whose interpreter (`/lib/ld-linux.so.2`) the stage lacks.
        case i386MissingInterpreter
        /// No shell at all.
        case none
    }

    /// Builds the stage directory `directory`: `bin`, `sbin`, `lib` links into `usr`, the shell and init, an
    /// `/etc/init.d` stub for each of `services`, and `packages` (`category/pf`, each with `files` to own) in its vdb.
    public static func makeDirectory(_ directory: URL, shell: Shell = .i386, services: [String] = [],
                                     packages: [String] = [], marker: String = "stage 1") throws {
        let fm = FileManager.default
        for sub in ["usr/bin", "usr/sbin", "usr/lib", "etc/init.d", "var/db/pkg", "tmp", "proc", "dev"] {
            try fm.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        for link in ["bin", "sbin", "lib"] {
            try fm.createSymbolicLink(atPath: directory.appendingPathComponent(link).path, withDestinationPath: "usr/\(link)")
        }
        if shell != .none {
            let program = try compiled(shell)
            try fm.copyItem(atPath: program, toPath: directory.appendingPathComponent("usr/bin/dash").path)
            try fm.createSymbolicLink(atPath: directory.appendingPathComponent("usr/bin/sh").path, withDestinationPath: "dash")
            try fm.copyItem(atPath: program, toPath: directory.appendingPathComponent("usr/sbin/init").path)
        }
        for service in services {
            let path = directory.appendingPathComponent("etc/init.d/\(service)").path
            try "#!/sbin/openrc-run\n# stub of the stage fixture\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        try "\(marker)\n".write(to: directory.appendingPathComponent("etc/stage-release"), atomically: true, encoding: .utf8)
        for package in packages { try vdbEntry(package, in: directory) }
    }

    /// Packs `directory` as a zstd-compressed tarball with relative member names (`./usr/bin/sh`).
    public static func pack(_ directory: URL, to tarball: URL) throws {
        try FileManager.default.createDirectory(at: tarball.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: tarball)
        try sh("tar --numeric-owner -C \(quoted(directory.path)) -cf - . | zstd -q -o \(quoted(tarball.path))")
    }

    /// A vdb entry Portage takes as an installed package of the farm repository (no USE flags, slot 0).
    public static func vdbEntry(_ package: String, in root: URL, contents: String = "") throws {
        let parts = package.split(separator: "/", maxSplits: 1).map(String.init)
        let directory = root.appendingPathComponent("var/db/pkg/\(package)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let values = [
            "CATEGORY": parts[0], "PF": parts[1], "SLOT": "0", "EAPI": "8", "USE": "x86 elibc_glibc kernel_linux userland_GNU",
            "IUSE": "", "KEYWORDS": "amd64 x86", "repository": "farm", "COUNTER": "1", "BUILD_TIME": "1700000000",
            "CHOST": "i686-pc-linux-gnu", "CFLAGS": "-O2 -march=i686", "CXXFLAGS": "-O2 -march=i686", "LDFLAGS": "",
            "DEPEND": "", "RDEPEND": "", "BDEPEND": "", "PDEPEND": "", "IDEPEND": "", "DEFINED_PHASES": "compile install",
            "LICENSE": "MIT", "DESCRIPTION": "from the seed stage", "FEATURES": "", "INHERITED": "",
            "CONTENTS": contents, "SIZE": "0",
        ]
        for (key, value) in values {
            try (value.isEmpty ? "" : value + "\n").write(to: directory.appendingPathComponent(key), atomically: true, encoding: .utf8)
        }
    }

    /// Writes a tar made by Python's tarfile with one hostile member (`kind`: absolute, dotdot, escaping-link).
    public static func hostileTarball(_ kind: String, to tarball: URL) throws {
        let script = """
            import io, sys, tarfile
            kind, out = sys.argv[1], sys.argv[2]
            with tarfile.open(out, "w:gz") as t:
                def add(name, data=b"x"):
                    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
                add("./etc/ok")
                if kind == "absolute": add("/etc/passwd")
                if kind == "dotdot": add("./usr/../../escape")
                if kind == "escaping-link":
                    info = tarfile.TarInfo("./etc/evil"); info.type = tarfile.SYMTYPE; info.linkname = "../../../../etc/shadow"; t.addfile(info)
            """
        try sh("python3 -c \(quoted(script)) \(quoted(kind)) \(quoted(tarball.path))")
    }

    nonisolated(unsafe) private static var built: [String: String] = [:]
    private static let lock = NSLock()

    /// The shell program for `shell`, compiled once per test process.
    private static func compiled(_ shell: Shell) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let key = "\(shell)"
        if let path = built[key], FileManager.default.fileExists(atPath: path) { return path }
        let directory = try Fixtures.temporaryDirectory("stage-shell")
        let source = directory.appendingPathComponent("exit.c").path
        let output = directory.appendingPathComponent("sh-\(key)").path
        switch shell {
        case .i386, .none:
            try "void _start(void) { __asm__ volatile(\"movl $1, %eax\\n xorl %ebx, %ebx\\n int $0x80\"); }\n"
                .write(toFile: source, atomically: true, encoding: .utf8)
            try sh("gcc -m32 -static -nostdlib -O1 -o \(quoted(output)) \(quoted(source))")
        case .x86_64:
            try "void _start(void) { __asm__ volatile(\"movl $60, %eax\\n xorl %edi, %edi\\n syscall\"); }\n"
                .write(toFile: source, atomically: true, encoding: .utf8)
            try sh("gcc -static -nostdlib -O1 -o \(quoted(output)) \(quoted(source))")
        case .i386MissingInterpreter:
            try "int main(void) { return 0; }\n".write(toFile: source, atomically: true, encoding: .utf8)
            try sh("gcc -m32 -o \(quoted(output)) \(quoted(source))")
        }
        built[key] = output
        return output
    }

    private static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    private static func sh(_ script: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -o pipefail; " + script]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "`\(script.prefix(200))` failed: \(text)"])
        }
    }
}
