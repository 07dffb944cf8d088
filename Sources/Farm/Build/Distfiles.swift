import Foundation
import Binpkg
import FarmModel
import Portage

/// The shared DISTDIR: every distfile a plan needs is there and matches its Manifest before any build starts.
struct Distfiles: Sendable {
    let distdir: String
    let mirrors: [String]
    let repositories: [Repository]
    /// Each package's Manifest, parsed once per run (prepare, the re-plan and the jobs' distfile lists all ask).
    private let manifests = ManifestCache()

    init(distdir: String, mirrors: [String], repositories: [Repository]) {
        self.distdir = distdir
        self.mirrors = mirrors
        self.repositories = repositories
    }

    /// Ensures each needed distfile is in DISTDIR, verified; copies missing ones from the local mirrors.
    /// Returns (needed, copied). Throws naming the file, the Manifest and the mismatch.
    func prepare(_ plans: [ClassPlan]) throws -> (Int, Int) {
        var needed: [String: (CPV, Manifest, Manifest.Entry)] = [:]
        for plan in plans {
            for entry in plan.toBuild {
                for name in plan.distfiles[entry.cpv] ?? [] where needed[name] == nil {
                    let (manifest, found) = try manifestEntry(for: entry, name: name)
                    needed[name] = (entry.cpv, manifest, found)
                }
            }
        }
        var copied = 0
        try FileManager.default.createDirectory(atPath: distdir, withIntermediateDirectories: true)
        for (name, (cpv, manifest, entry)) in needed.sorted(by: { $0.key < $1.key }) {
            let target = (distdir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: target) {
                try verify(target, manifest, entry, cpv: cpv, inDistdir: true)
                continue
            }
            guard let source = mirrors.map({ ($0 as NSString).appendingPathComponent(name) })
                .first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw FarmError(problem: "distfile \(name) for \(cpv) is neither in \(distdir) nor in the mirrors (\(mirrors.joined(separator: ", ")))",
                                fix: "put \(name) into \(distdir) or one of `mirrors` in workers.conf")
            }
            try verify(source, manifest, entry, cpv: cpv, inDistdir: false)
            let temporary = target + ".part-\(getpid())"
            try? FileManager.default.removeItem(atPath: temporary)
            try FileManager.default.copyItem(atPath: source, toPath: temporary)
            guard rename(temporary, target) == 0 else {
                throw FarmError(problem: "cannot move \(temporary) into place: \(String(cString: strerror(errno)))",
                                fix: "check that \(distdir) is writable")
            }
            copied += 1
        }
        return (needed.count, copied)
    }

    func manifestEntry(for entry: MergeListEntry, name: String) throws -> (Manifest, Manifest.Entry) {
        let repository = repositories.first { $0.name == entry.repository } ?? repositories.first
        let path = ((repository?.location ?? "") as NSString).appendingPathComponent("\(entry.cpv.cp)/Manifest")
        let manifest = try manifests.manifest(at: path)
        guard let found = manifest.entry(named: name, type: .dist) else {
            throw FarmError(problem: "\(path) has no DIST line for \(name), which \(entry.cpv) needs",
                            fix: "run `ebuild \(entry.cpv.cp)/\(entry.cpv.pf).ebuild manifest` in the repository")
        }
        return (manifest, found)
    }

    func verify(_ path: String, _ manifest: Manifest, _ entry: Manifest.Entry, cpv: CPV, inDistdir: Bool) throws {
        let mismatch: ManifestMismatch?
        do { mismatch = try manifest.verify(file: URL(fileURLWithPath: path), against: entry) }
        catch { throw FarmError(problem: "cannot read distfile \(path): \(error)", fix: "check the file's permissions") }
        if let mismatch {
            let differences = mismatch.differences.map(\.description).joined(separator: "; ")
            throw FarmError(problem: "distfile \(path) (for \(cpv)) does not match its Manifest (\(entry.location)): \(differences)",
                            fix: inDistdir ? "delete \(path) so farmctl copies a good one, or re-run `ebuild … manifest` if it changed on purpose"
                                           : "replace \(path) with the original, or re-run `ebuild … manifest` if it changed on purpose")
        }
    }
}

/// Parsed Manifests by path, shared by the copies of one run's `Distfiles`.
private final class ManifestCache: @unchecked Sendable {
    private let lock = NSLock()
    private var byPath: [String: Manifest] = [:]

    /// The Manifest at `path`, parsed on first use.
    func manifest(at path: String) throws -> Manifest {
        if let cached = lock.withLock({ byPath[path] }) { return cached }
        let parsed = try Manifest(contentsOf: URL(fileURLWithPath: path))
        lock.withLock { byPath[path] = parsed }
        return parsed
    }
}
