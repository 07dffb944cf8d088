import CPU
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The audit of one root: every ELF file whose code needs a feature the class's CPU lacks.
public struct RootAuditReport: Codable, Sendable {
    /// The root directory audited.
    public var root: String
    /// The features the class's CPU has (what its `-march`, CPU_FLAGS_X86 and `[cpu]` promise).
    public var cpuHas: [String]
    /// How many ELF files were decoded.
    public var filesScanned: Int
    /// Files with findings (violations or run-time-selected code), by path.
    public var files: [FileFindings]

    /// True when no file outside the allowed list holds an instruction the CPU lacks.
    public var passed: Bool { failing.isEmpty }
    /// Files whose violations fail the audit.
    public var failing: [FileFindings] { files.filter { !$0.violations.isEmpty && !$0.allowed } }
}

/// Decodes the code of every ELF file in a root (or of some packages' files) against a class's CPU features.
public struct RootAudit: Sendable {
    /// The features the class's CPU has.
    public var cpuHas: Set<ISAFeature>
    /// Paths inside the root (`fnmatch` patterns, e.g. `/usr/lib/*/libcrypto.so.*`) whose findings do not fail the audit.
    public var allowed: [String]

    /// An audit for a CPU with `cpuHas`, with the class's allowed files.
    public init(cpuHas: Set<ISAFeature>, allowed: [String] = []) {
        var features = cpuHas
        if features.contains("sse") { features.insert("mmxext") }   // SSE carries the integer MMX extensions
        if features.contains("3dnowext") { features.insert("mmxext") }
        self.cpuHas = features
        self.allowed = allowed
    }

    /// Audits `root`. With `packages` (`cat/pf` names), only the files their vdb CONTENTS lists are decoded.
    public func audit(root: String, packages: Set<String>? = nil) throws(AuditError) -> RootAuditReport {
        let owners = Self.owners(vardb: root + "/var/db/pkg")
        let paths: [String]
        if let packages {
            paths = owners.filter { packages.contains($0.value) }.keys.sorted()
        } else {
            paths = try Self.regularFiles(under: root)
        }
        var scanned = 0
        var files: [FileFindings] = []
        for path in paths {
            let full = root + path
            guard Self.startsWithELFMagic(full) else { continue }
            let image: ELFImage?
            do { image = try ELFImage(contentsOf: full) } catch {
                throw AuditError(problem: "cannot read \(full): \(error.localizedDescription)", fix: "check the root is readable (run as root)")
            }
            guard let image, image.isX86 else { continue }
            scanned += 1
            var found = try FileAudit.audit(image, cpuHas: cpuHas, path: path)
            guard !found.violations.isEmpty || !found.runtimeSelected.isEmpty else { continue }
            if Self.loaderSelected(path) {  // the dynamic loader uses the file only on a CPU with the feature
                found = ([], found.runtimeSelected + found.violations)
            }
            files.append(FileFindings(path: path, package: owners[path], violations: found.violations,
                                      runtimeSelected: found.runtimeSelected, allowed: isAllowed(path)))
        }
        return RootAuditReport(root: root, cpuHas: cpuHas.map(\.rawValue).sorted(), filesScanned: scanned, files: files)
    }

    /// True for a library in one of the dynamic loader's hardware-capability directories: glibc's
    /// `glibc-hwcaps/<level>/` and the legacy `<libdir>/{i686,sse2,cmov,mmx,…}/` subdirectories. The loader searches
    /// them only when the CPU has what their name says, so their code is chosen at run time like an IFUNC's.
    static func loaderSelected(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count > 2, parts.contains(where: { $0.hasPrefix("lib") }) else { return false }
        let directories = parts.dropLast()
        if directories.contains("glibc-hwcaps") { return true }
        let legacy: Set<String> = ["sse2", "cmov", "mmx", "i686", "i586", "3dnow", "tls"]
        guard let libIndex = directories.lastIndex(where: { $0 == "lib" || $0 == "lib32" || $0 == "lib64" || $0.hasSuffix("-linux-gnu") }) else { return false }
        let below = directories.suffix(from: libIndex + 1)
        return !below.isEmpty && below.allSatisfy { legacy.contains($0) }
    }

    func isAllowed(_ path: String) -> Bool {
        allowed.contains { fnmatch($0, path, 0) == 0 }
    }

    /// Every file path (inside the root, with a leading `/`) the packages' CONTENTS list, with its `cat/pf`.
    static func owners(vardb: String) -> [String: String] {
        var owners: [String: String] = [:]
        let fm = FileManager.default
        for category in (try? fm.contentsOfDirectory(atPath: vardb)) ?? [] {
            for package in (try? fm.contentsOfDirectory(atPath: "\(vardb)/\(category)")) ?? [] {
                guard let text = try? String(contentsOfFile: "\(vardb)/\(category)/\(package)/CONTENTS", encoding: .utf8) else { continue }
                for line in text.split(separator: "\n") where line.hasPrefix("obj ") {
                    // `obj PATH MD5 MTIME`: the path may hold spaces, the last two fields do not.
                    let fields = line.dropFirst(4).split(separator: " ")
                    guard fields.count >= 3 else { continue }
                    owners[fields.dropLast(2).joined(separator: " ")] = "\(category)/\(package)"
                }
            }
        }
        return owners
    }

    static func regularFiles(under root: String) throws(AuditError) -> [String] {
        let base = URL(fileURLWithPath: root, isDirectory: true).resolvingSymlinksInPath()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: base.path, isDirectory: &isDirectory), isDirectory.boolValue,
              let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey]) else {
            throw AuditError(problem: "\(root) is not a directory", fix: "name a published root (farmctl roots list)")
        }
        var paths: [String] = []
        for case let url as URL in walker {
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
            guard values?.isRegularFile == true, values?.isSymbolicLink != true, url.path.hasPrefix(base.path) else { continue }
            paths.append(String(url.path.dropFirst(base.path.count)))
        }
        return paths.sorted()
    }

    static func startsWithELFMagic(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 4)) == Data([0x7f, 0x45, 0x4c, 0x46])
    }
}
