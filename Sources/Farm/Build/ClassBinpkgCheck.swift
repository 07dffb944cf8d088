import Binpkg
import FarmConfig
import FarmModel
import Foundation

/// What a class's binpkgs must have been built with: its make.conf's toolchain flags, relaxed for packages that
/// package.env gives flags of their own. Computed once per run (in the class workspace) and asked by the PKGDIR
/// sweep, the assembler and the adoption of binpkgs from workers.
struct ClassBinpkgCheck: Sendable {
    /// The class's flags, from its make.conf.
    let toolchain: ClassToolchain
    /// Atoms with a package.env entry: their CFLAGS/CXXFLAGS/LDFLAGS may differ from make.conf.
    let packageEnvAtoms: [Atom]

    init(_ profile: ClassProfile) {
        toolchain = ClassToolchain(profile.makeConf)
        packageEnvAtoms = Self.packageEnvAtoms(profile.packageEnv)
    }

    /// The differences that forbid installing `metadata`'s binpkg in this class (empty: compatible).
    func incompatibilities(_ metadata: BinpkgMetadata, cpv: CPV) -> [CompatibilityDifference] {
        var expected = toolchain
        if packageEnvAtoms.contains(where: { $0.matches(cpv) }) {
            expected.cflags = nil  // package.env may set other flags for this package
            expected.cxxflags = nil
            expected.ldflags = nil
        }
        return metadata.compatibilityKey.differences(from: expected, declaredCPUFlags: metadata.declaredCPUFlags)
    }

    static func packageEnvAtoms(_ url: URL?) -> [Atom] {
        guard let url else { return [] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return [] }
        let files = isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted().map { url.appendingPathComponent($0) }
            : [url]
        return files.flatMap { file in
            ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line -> Atom? in
                let text = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                return text.split(whereSeparator: \.isWhitespace).first.flatMap { try? Atom(String($0)) }
            }
        }
    }
}

extension ClassToolchain {
    /// The flags a class's make.conf sets (unset ones are not checked).
    init(_ makeConf: MakeConf) {
        let cpu = makeConf.value("CPU_FLAGS_X86") == nil ? nil : Set(makeConf.cpuFlagsX86)
        self.init(chost: makeConf.chost, cflags: makeConf.cflags, cxxflags: makeConf.value("CXXFLAGS"),
                  ldflags: makeConf.value("LDFLAGS"), cpuFlagsX86: cpu)
    }
}
