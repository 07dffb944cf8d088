import Binpkg
import FarmConfig
import FarmModel
import Foundation
import ISAAudit
import Workers

/// The ISA audit of one generation of a class, as `farmctl roots audit` shows it.
public struct ClassRootAudit: Sendable, Encodable {
    public var `class`: String
    /// The generation audited; 0 for a directory named with `--root`.
    public var generation: Int
    /// The class's `-march` (the feature set audited against is the report's `cpuHas`).
    public var march: String
    /// `strict_isa` of the class's `[audit]` table.
    public var strictISA: Bool
    /// Seconds the decoding took.
    public var seconds: Double
    public var report: RootAuditReport
}

extension ClassProfile {
    /// The ISA audit for the class's nodes: the features its code may use, and its allowed files.
    var isaAudit: RootAudit {
        RootAudit(cpuHas: Set(requirements.needs.keys), allowed: audit.allow.map(\.value))
    }
}

extension Farm {
    /// Decodes every ELF file of generation `number` of a class (default: `current`), or of the directory
    /// `directory` (a stage, another farm's root), against the class's CPU features.
    /// With `package` (an atom), only the files of the root's packages it matches are decoded.
    public func auditRoot(class name: String, generation number: Int?, directory: String? = nil, package: String? = nil) async throws -> ClassRootAudit {
        let profile = try profiles(named: [name])[0]
        let roots = settings.rootsDirectory(for: profile.name).path
        let root: String, generation: Int
        var isDirectory: ObjCBool = false
        if let directory {
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw FarmError(problem: "\(directory) is not a directory", fix: "name an unpacked root or stage with --root")
            }
            (root, generation) = (directory, 0)
        } else {
            guard let number = number ?? RootLink.current(in: roots) else {
                throw FarmError(problem: "class \(profile.name) has no published root (\(roots)/current does not exist)",
                                fix: "run `farmctl build \(profile.name)` first, or name a generation with --generation")
            }
            (root, generation) = ((roots as NSString).appendingPathComponent(String(number)), number)
            guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw FarmError(problem: "class \(profile.name) has no generation \(number) on disk (\(root))",
                                fix: "see `farmctl roots list \(profile.name)` for the generations on disk")
            }
        }
        let audit = profile.isaAudit
        var packages: Set<String>?
        if let package {
            let atom: Atom
            do { atom = try Atom(package) } catch {
                throw FarmError(problem: "--package \(package): \(error.problem)", fix: error.fix)
            }
            packages = Set(VarDB.installed(VarDB.path(ofRoot: root)).keys.filter { CPV($0).map(atom.matches) ?? false })
            guard packages?.isEmpty == false else {
                throw FarmError(problem: "\(root) holds no package matching \(package)", fix: "see `farmctl query root \(profile.name)` for what the root holds")
            }
        }
        let started = Date()
        let report = try await onOwnThread(named: "farmctl-isa-audit") { [packages] in try audit.audit(root: root, packages: packages) }
        return ClassRootAudit(class: profile.name.rawValue, generation: generation, march: profile.requirements.march,
                              strictISA: profile.audit.strictISA, seconds: Date().timeIntervalSince(started), report: report)
    }
}

extension Assembler {
    /// The audit before `current` moves: decodes the files of the packages the farm built into `root`. Violations are a
    /// warning, or (with `strict_isa = true`) an error that keeps the previous `current`.
    func auditBeforePublish(_ workspace: ClassWorkspace, resolved: [ResolvedBinpkg], root: String, number: Int, generation id: Int64) async throws {
        let audit = workspace.profile.isaAudit
        let packages = Set(resolved.map { "\($0.cpv.category)/\($0.cpv.pf)" })
        let report = try await onOwnThread(named: "farmctl-isa-audit") { try audit.audit(root: root, packages: packages) }
        guard !report.passed else { return try store.recordISAAudit(id, "pass") }
        let march = workspace.profile.requirements.march
        let named = report.failing.prefix(3).map { file -> String in
            let use = file.violations[0]
            return "\(file.package ?? "?") \(file.path): \(use.feature) in \(use.first)"
        }.joined(separator: "; ")
        let more = report.failing.count > 3 ? " and \(report.failing.count - 3) more files" : ""
        let problem = "class \(workspace.nodeClass): generation \(number) holds code a \(march) CPU cannot run: \(named)\(more)"
        let summary = "\(report.failing.count) file(s): \(named)\(more)"
        guard workspace.profile.audit.strictISA else {
            try store.recordISAAudit(id, "warn: " + summary)
            events(.warning(problem + " (see `farmctl roots audit \(workspace.nodeClass) --generation \(number)`)"))
            return
        }
        try store.recordISAAudit(id, "fail: " + summary)
        throw FarmError(problem: problem + " — strict_isa = true, so it is not published",
                        fix: "rebuild the package without the flag that enables it (package.env, CFLAGS), or list the file under [audit] allow in \(workspace.profile.directory.path)/class.toml; `current` stays where it was")
    }
}
