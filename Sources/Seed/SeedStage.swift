import Binpkg
import Digests
import FarmConfig
import FarmModel
import Foundation

/// A class's seed stage: the userland (libc, shell, init) every root of the class starts from, as a stage tarball
/// or a directory, identified by the SHA-256 of its content.
public struct SeedStage: Sendable, Hashable {
    /// The tarball or directory as configured.
    public var source: String
    /// `sha256:<hex>` of the tarball's bytes, or of the directory tree (paths, modes, links, contents).
    public var digest: String
    /// The directory holding the stage's files: the configured directory, or the tarball's cached extraction.
    public var root: String
    /// The packages the stage's own `var/db/pkg` holds (`category/name-version[-rREV]`).
    public var packages: Set<String>
    /// The stage's `/bin/sh`: what the header says it runs on.
    public var shell: ELFIdentity

    /// Opens the stage at `url` for a class of `arch`: digests it, extracts a tarball once into `cache/<hex>`
    /// (all or nothing) and checks it is a userland the class can run. `origin` names the setting in messages.
    public static func prepare(_ url: URL, arch: Arch, cache: URL, origin: String) throws(SeedError) -> SeedStage {
        let path = url.path
        func fail(_ problem: String, _ fix: String) -> SeedError {
            SeedError(problem: "\(origin): the stage \(path) \(problem)", fix: fix)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw fail("does not exist", "make the stage first (the example farm: `bash scripts/make-stage.sh`), or point "
                + "[base] stage at a stage3 tarball or an unpacked stage directory")
        }
        let digest: String
        let root: String
        if isDirectory.boolValue {
            do { digest = "sha256:" + (try TreeDigest.compute(path)) } catch {
                throw fail("cannot be read: \(error)", "make every file of the stage readable by the user running farmctl")
            }
            root = path
        } else {
            let archive: StageArchive
            do {
                archive = try StageArchive(contentsOf: url)
                digest = "sha256:" + (try Digest.hex(.sha256, ofFile: url))
            } catch let error as BinpkgError {
                throw Self.refusal(error, origin: origin)
            } catch {
                throw fail("cannot be read: \(error)", "make the file readable by the user running farmctl")
            }
            root = cache.appendingPathComponent(String(digest.dropFirst("sha256:".count))).path
            if !FileManager.default.fileExists(atPath: root) {
                do {
                    try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
                    _ = try archive.extract(into: URL(fileURLWithPath: root))
                } catch let error as BinpkgError {
                    // Another run may have extracted the same stage meanwhile: its complete copy is as good.
                    if case .extractionFailed = error.kind, FileManager.default.fileExists(atPath: root + "/bin") {} else {
                        throw Self.refusal(error, origin: origin)
                    }
                } catch {
                    throw fail("cannot be extracted into \(root): \(error)", "check that \(cache.path) is writable and has free space")
                }
            }
        }
        let shell = try checkUserland(root: root, arch: arch, fail: fail)
        return SeedStage(source: path, digest: digest, root: root, packages: Set(VarDB.installed(VarDB.path(ofRoot: root)).keys), shell: shell)
    }

    /// The stage must hold `/bin/sh` as an ELF executable for the class's architecture, whose interpreter resolves
    /// inside the stage and is built for the same machine.
    private static func checkUserland(root: String, arch: Arch, fail: (String, String) -> SeedError) throws(SeedError) -> ELFIdentity {
        let wanted = arch == .x86 ? ELFIdentity(bits: 32, machine: ELFIdentity.i386) : ELFIdentity(bits: 64, machine: ELFIdentity.x86_64)
        let fix = "name a stage built for arch \(arch) (for x86: a stage3-i686 or an i386 userland; for amd64: a stage3-amd64)"
        guard let shell = RootPath.resolve("/bin/sh", in: root), FileManager.default.isExecutableFile(atPath: shell) else {
            throw fail("has no /bin/sh (or it is not an executable file inside the stage)",
                       "name a complete stage: a stage3 tarball, or a directory holding a userland with /bin/sh")
        }
        func identity(_ file: String, _ name: String) throws(SeedError) -> ELFIdentity {
            let read: ELFIdentity?
            do { read = try ELFIdentity.read(file) } catch { throw fail("cannot read \(name): \(error)", fix) }
            guard let read else { throw fail("holds \(name), which is not an ELF executable", fix) }
            guard read.bits == wanted.bits, read.machine == wanted.machine else {
                throw fail("holds \(name) for \(read), but the class is arch \(arch) (\(wanted))", fix)
            }
            return read
        }
        let found = try identity(shell, "/bin/sh")
        if let interpreter = found.interpreter {
            guard let loader = RootPath.resolve(interpreter, in: root) else {
                throw fail("holds /bin/sh, whose ELF interpreter \(interpreter) is not in the stage", fix)
            }
            _ = try identity(loader, "the ELF interpreter \(interpreter) of /bin/sh")
        }
        return found
    }

    private static func refusal(_ error: BinpkgError, origin: String) -> SeedError {
        let fix = "name a stage tarball made with relative member names and no links leading out of it (e.g. Gentoo's "
            + "stage3-i686-*.tar.xz), or an unpacked stage directory"
        switch error.kind {
        case .unreadable(let reason):
            return SeedError(problem: "\(origin): the stage \(error.path) cannot be read: \(reason)",
                             fix: "make the file readable by the user running farmctl")
        case .notATarball:
            return SeedError(problem: "\(origin): the stage \(error.path) is not a tarball (neither a tar header nor "
                + "gzip, bzip2, xz, zstd, lz4, lzip or lzop data)", fix: error.fix)
        case let .hostileEntry(entry, reason):
            return SeedError(problem: "\(origin): the stage \(error.path) has an unsafe member \"\(entry)\": \(reason); nothing was extracted",
                             fix: fix)
        case let .corruptArchive(_, message):
            return SeedError(problem: "\(origin): the stage \(error.path) cannot be read as a tarball: \(message)",
                             fix: "the tarball is damaged or truncated: download or make it again")
        default:
            return SeedError(problem: "\(origin): the stage \(error.path): \(error.problem)", fix: fix)
        }
    }
}

/// A seed stage that cannot be used: names the stage and the setting, and how to fix it.
public typealias SeedError = Problem
