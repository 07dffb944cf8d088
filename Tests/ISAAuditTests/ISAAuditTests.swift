import CPU
import Foundation
import Testing
import TestSupport
@testable import ISAAudit

/// The ISA audit on code gcc builds here (`gcc -m32`), and on Debian's own i386 glibc.
@Suite struct ISAAuditTests {
    static let pentium3 = March.named("pentium3")!.features
    static let pentium2 = March.named("pentium2")!.features
    static let athlonXP = March.named("athlon-xp")!.features

    /// Builds `source` with `gcc -m32 flags` into `name` in a new temporary directory; returns its path.
    func build(_ source: String, flags: [String], name: String = "libt.so") throws -> (URL, String) {
        let directory = try Fixtures.temporaryDirectory("isa-audit")
        try source.write(to: directory.appendingPathComponent("t.c"), atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent(name).path
        let (status, text) = try ExampleFarm.run("/usr/bin/gcc", ["-m32", "-O2", "-fPIC", "-shared"] + flags + ["-o", output, "t.c"], in: directory)
        try #require(status == 0, "gcc failed: \(text)")
        return (directory, output)
    }

    func audit(_ path: String, _ features: Set<ISAFeature>) throws -> (violations: [FeatureUse], runtimeSelected: [FeatureUse]) {
        let image = try #require(try ELFImage(contentsOf: path))
        return try FileAudit.audit(image, cpuHas: RootAudit(cpuHas: features).cpuHas, path: path)
    }

    static let floatMath = "double scale(double a, double b) { return a * b + 1.0; }\nint twice(int x) { return 2 * x; }\n"

    @Test func sse2CodeIsAViolationOnAPentiumIIINamedByFunctionAndInstruction() throws {
        // Given a function built with -msse2 -mfpmath=sse (a package a PIII class must not ship)
        let (directory, library) = try build(Self.floatMath, flags: ["-march=pentium3", "-msse2", "-mfpmath=sse"])
        defer { try? FileManager.default.removeItem(at: directory) }
        // When it is audited for a Pentium III, Then `scale` is reported with SSE2 and its first instruction
        let found = try audit(library, Self.pentium3)
        let use = try #require(found.violations.first { $0.function == "scale" }, "\(found)")
        #expect(use.feature == "sse2")
        #expect(use.first.hasPrefix("scale+0x") && use.first.contains("sd "), "\(use.first)")
        #expect(!found.violations.contains { $0.function == "twice" })
        // and for a CPU with SSE2 nothing is reported
        #expect(try audit(library, Self.pentium3.union(["sse2"])).violations.isEmpty)
    }

    @Test func codeBuiltForTheClassPasses() throws {
        // Given the same source built with the PIII class's own flags (SSE math allowed)
        let (directory, library) = try build(Self.floatMath + "float low(float a, float b) { return a < b ? a : b; }\n",
                                             flags: ["-march=pentium3", "-mfpmath=sse"])
        defer { try? FileManager.default.removeItem(at: directory) }
        // When audited, Then nothing is reported for a Pentium III, but the SSE code fails a Pentium II
        #expect(try audit(library, Self.pentium3).violations.isEmpty)
        #expect(try audit(library, Self.pentium2).violations.contains { $0.feature == "sse" && $0.function == "low" })
    }

    @Test func aStrippedFileIsStillCaughtAndNamedByItsAddress() throws {
        // Given the SSE2 library, its functions hidden (not in .dynsym) and `strip --strip-all` run — .eh_frame stays
        let (directory, library) = try build(Self.floatMath, flags: ["-march=pentium3", "-msse2", "-mfpmath=sse", "-fvisibility=hidden"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, text) = try ExampleFarm.run("/usr/bin/strip", ["--strip-all", library])
        try #require(status == 0, "\(text)")
        // When audited, Then the violation is still there, placed by a function start (0xADDR+0xOFFSET)
        let found = try audit(library, Self.pentium3)
        #expect(found.violations.contains { $0.feature == "sse2" && $0.function.hasPrefix("0x") }, "\(found)")
    }

    @Test func anIFuncVariantSelectedByCPUIDIsReportedApartAndDoesNotFail() throws {
        // Given a library whose `dot` is an IFUNC choosing an SSE2 or a plain implementation by CPUID
        let source = """
        static double dot_plain(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1]; }
        __attribute__((target("sse2,fpmath=sse"))) static double dot_sse2(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1]; }
        static void *dot_resolver(void) { __builtin_cpu_init(); return __builtin_cpu_supports("sse2") ? (void *)dot_sse2 : (void *)dot_plain; }
        double dot(const double *, const double *) __attribute__((ifunc("dot_resolver")));
        """
        let (directory, library) = try build(source, flags: ["-march=pentium3", "-fno-inline"])
        defer { try? FileManager.default.removeItem(at: directory) }
        // When audited for a Pentium III, Then the SSE2 variant is run-time-selected, not a violation
        let found = try audit(library, Self.pentium3)
        #expect(found.violations.filter { $0.feature == "sse2" }.isEmpty, "\(found.violations)")
        #expect(found.runtimeSelected.contains { $0.feature == "sse2" && $0.function == "dot_sse2" }, "\(found)")
    }

    @Test(arguments: [
        // (instruction, feature it needs or nil, a CPU that has it, a CPU that lacks it)
        ("pshufw $1, %mm0, %mm1", "mmxext"), ("paddq %mm0, %mm1", "sse2"), ("pfadd %mm0, %mm1", "3dnow"),
        ("pswapd %mm0, %mm1", "3dnowext"), ("fisttpl (%eax)", "sse3"), ("popcnt %eax, %ebx", "popcnt"),
        ("lfence", "sse2"), ("cmovne %eax, %ebx", "cmov"), ("lzcnt %eax, %ebx", "abm"), ("pause", nil), ("rdtsc", nil),
        ("tzcnt %eax, %ebx", nil), ("xgetbv", nil),
    ] as [(String, String?)])
    func instructionsCapstoneMislabelsAreMappedToTheirRealFeature(instruction: String, feature: String?) throws {
        // Given one instruction in an otherwise empty function
        let (directory, library) = try build("void f(void) { __asm__ volatile(\"\(instruction)\"); }\n", flags: ["-march=i386"])
        defer { try? FileManager.default.removeItem(at: directory) }
        // When audited for a CPU with only the 80386 base, Then exactly its feature is reported
        let found = try audit(library, [])
        #expect(Set(found.violations.filter { $0.function == "f" }.map(\.feature)) == Set([feature].compactMap { $0 }), "\(instruction): \(found.violations)")
    }

    @Test func threeDNowIsFineOnAnAthlonXPButNotOnAPentiumIII() throws {
        let (directory, library) = try build("void f(void) { __asm__ volatile(\"pfadd %mm0, %mm1; pswapd %mm0, %mm1; femms\"); }\n", flags: [])
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try audit(library, Self.athlonXP).violations.isEmpty)
        #expect(Set(try audit(library, Self.pentium3).violations.map(\.feature)) == ["3dnow", "3dnowext"])
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/lib32/libc.so.6"), "needs libc6-i386 (gcc-multilib)"))
    func debiansI386GlibcPassesForAPentiumIIIWithItsIFuncVariantsApart() throws {
        // Given Debian's i386 glibc (built for i686; stripped; SSE2/SSSE3/SSE4 string functions behind IFUNCs)
        // When audited for a Pentium III
        let found = try audit("/usr/lib32/libc.so.6", Self.pentium3)
        // Then nothing fails, and the run-time-selected variants are reported apart
        #expect(found.violations.isEmpty, "\(found.violations.prefix(8))")
        #expect(found.runtimeSelected.contains { $0.feature == "sse2" })
        #expect(found.runtimeSelected.count > 10)
    }

    @Test func aRootAuditNamesThePackageFromCONTENTSAndHonoursAllowedFiles() throws {
        // Given a root with an SSE2 library owned by a package in the vdb, and a plain one owned by nothing
        let (directory, library) = try build(Self.floatMath, flags: ["-march=pentium3", "-msse2", "-mfpmath=sse"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("root")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("usr/lib"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("var/db/pkg/dev-libs/libfast-1.0"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: library, toPath: root.appendingPathComponent("usr/lib/libfast.so.1").path)
        try "not ELF\n".write(to: root.appendingPathComponent("usr/lib/README"), atomically: true, encoding: .utf8)
        try "dir /usr/lib\nobj /usr/lib/libfast.so.1 0123456789abcdef0123456789abcdef 1700000000\n"
            .write(to: root.appendingPathComponent("var/db/pkg/dev-libs/libfast-1.0/CONTENTS"), atomically: true, encoding: .utf8)
        // When the root is audited for a Pentium III
        let report = try RootAudit(cpuHas: Self.pentium3).audit(root: root.path)
        // Then it fails naming the package, the file and the function
        #expect(!report.passed && report.filesScanned == 1)
        let file = try #require(report.failing.first)
        #expect(file.path == "/usr/lib/libfast.so.1" && file.package == "dev-libs/libfast-1.0")
        #expect(file.violations.contains { $0.function == "scale" && $0.feature == "sse2" })
        // and a class that lists the file as allowed passes (the finding stays in the report)
        let allowed = try RootAudit(cpuHas: Self.pentium3, allowed: ["/usr/lib/libfast.so.*"]).audit(root: root.path)
        #expect(allowed.passed && allowed.files.count == 1 && allowed.files[0].allowed)
        // and auditing only other packages' files decodes nothing
        #expect(try RootAudit(cpuHas: Self.pentium3).audit(root: root.path, packages: ["app-misc/other-1"]).filesScanned == 0)
    }
}

extension ISAAuditTests {
    @Test(arguments: [
        ("/usr/lib/i386-linux-gnu/i686/cmov/libcrypto.so.3", true),
        ("/usr/lib/i386-linux-gnu/sse2/libfoo.so.1", true),
        ("/lib/i386-linux-gnu/glibc-hwcaps/x86-64-v2/libbar.so", true),
        ("/usr/lib/i386-linux-gnu/libc.so.6", false),
        ("/usr/bin/sse2/tool", false),
        ("/usr/lib/i386-linux-gnu/perl/5.36/sse2.so", false),
    ])
    func theLoadersHardwareCapabilityDirectoriesAreRunTimeSelected(path: String, selected: Bool) {
        // A library there is loaded only on a CPU with what the directory names; elsewhere a path is just a path
        #expect(RootAudit.loaderSelected(path) == selected)
    }
}

extension ISAAuditTests {
    /// The inputs `Fuzz/run.sh fuzz-elf` once crashed on (`seed-crash-*`), replayed as the fuzz target does.
    static let crashInputs: [String] = {
        let corpus = Fixtures.repositoryRoot.appendingPathComponent("Fuzz/corpus/fuzz-elf")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { $0.hasPrefix("seed-crash-") }.sorted().map { corpus.appendingPathComponent($0).path }
    }()

    @Test func theFuzzCrashInputsAreKept() {
        #expect(!Self.crashInputs.isEmpty, "Fuzz/corpus/fuzz-elf/seed-crash-* should hold the inputs fixed so far")
    }

    @Test(arguments: crashInputs)
    func aHostileHeaderIsClampedToTheFileAndAuditsWithoutTrapping(path: String) throws {
        // Given an input whose ELF header claims offsets and sizes beyond the file (or beyond Int)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // When it is parsed, then every code range it reports lies inside the file
        if let image = ELFImage(data) {
            for range in image.code {
                #expect(range.fileOffset >= 0 && range.size >= 0 && range.fileOffset + range.size <= data.count)
            }
        }
        // and a root holding it audits to a report or a typed error with a fix, never a trap
        let root = try Fixtures.temporaryDirectory("isa-audit-crash")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try data.write(to: root.appendingPathComponent("bin/input"))
        do {
            let report = try RootAudit(cpuHas: Self.pentium3).audit(root: root.path)
            #expect(report.filesScanned <= 1)
        } catch {
            #expect(!error.problem.isEmpty && !error.fix.isEmpty)
        }
    }
}
