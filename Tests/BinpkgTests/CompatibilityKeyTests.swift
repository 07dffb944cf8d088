import Foundation
import Testing
@testable import Binpkg
import TestSupport

@Suite struct CompatibilityKeyTests {
    private func metadata(_ values: [String: String]) -> BinpkgMetadata {
        var base = ["CATEGORY": "app-misc", "PF": "fhsum-1.0", "CHOST": "i686-pc-linux-gnu",
                    "CFLAGS": "-O2 -march=pentium3 -pipe", "CXXFLAGS": "-O2 -march=pentium3 -pipe",
                    "LDFLAGS": "-Wl,-O1", "IUSE": "threads cpu_flags_x86_sse cpu_flags_x86_3dnow",
                    "IUSE_EFFECTIVE": "threads x86 cpu_flags_x86_sse cpu_flags_x86_3dnow",
                    "USE": "x86 cpu_flags_x86_sse elibc_glibc", "FEATURES": "buildpkg splitdebug sandbox",
                    "RDEPEND": ">=dev-libs/libfarmhash-1:0/1= dev-libs/libstr:=[static] !app-misc/old"]
        base.merge(values) { $1 }
        return BinpkgMetadata(values: base)
    }

    @Test func keyReadsEveryComponent() {
        // Given a binpkg's metadata, when its key is computed
        let key = metadata([:]).compatibilityKey
        // Then it holds normalised flags, IUSE-filtered USE, CPU flags, content FEATURES and slot bindings
        #expect(key.use == ["x86"])
        #expect(key.cpuFlagsX86 == ["sse"])
        #expect(key.features == ["splitdebug"])
        #expect(key.subslots == ["dev-libs/libfarmhash:0/1"])
        #expect(key.digest.hasPrefix("ck1-") && key.digest.count == 24)
    }

    @Test func equalBuildsShareAKeyAndAnyDifferenceIsNamed() {
        // Given two builds that differ only in whitespace, and one built for another CPU and sub-slot
        let a = metadata([:]).compatibilityKey
        let b = metadata(["CFLAGS": " -O2  -march=pentium3 -pipe\n"]).compatibilityKey
        let athlon = metadata(["CFLAGS": "-O2 -march=athlon-xp -pipe", "USE": "x86 cpu_flags_x86_sse cpu_flags_x86_3dnow",
                               "RDEPEND": "dev-libs/libfarmhash:0/2="]).compatibilityKey
        // Then the first two are interchangeable and the third is refused with each reason
        #expect(a == b && a.digest == b.digest && a.differences(from: b).isEmpty)
        #expect(athlon.differences(from: a).map(\.component) == ["CFLAGS", "CPU_FLAGS_X86", "sub-slots"])
        #expect(a.digest != athlon.digest)
    }

    @Test func classToolchainCheckRefusesForeignBinpkgs() {
        // Given the PIII toolchain and a binpkg built for AthlonXP
        let piii = ClassToolchain(chost: "i686-pc-linux-gnu", cflags: "-O2 -march=pentium3 -pipe", cxxflags: nil,
                                  ldflags: nil, cpuFlagsX86: ["mmx", "mmxext", "sse"])
        let athlon = metadata(["CFLAGS": "-O2 -march=athlon-xp -pipe", "USE": "x86 cpu_flags_x86_sse cpu_flags_x86_3dnow"])
        // When checked, then CFLAGS and CPU_FLAGS_X86 (only among the flags the package declares) are named
        let found = athlon.compatibilityKey.differences(from: piii, declaredCPUFlags: athlon.declaredCPUFlags)
        #expect(found.map(\.component) == ["CFLAGS", "CPU_FLAGS_X86"])
        #expect(found.first?.description == "CFLAGS is \"-O2 -march=athlon-xp -pipe\", expected \"-O2 -march=pentium3 -pipe\"")
        // And a PIII build passes
        let own = metadata([:])
        #expect(own.compatibilityKey.differences(from: piii, declaredCPUFlags: own.declaredCPUFlags).isEmpty)
    }

    @Test func realBinpkgsFromDifferentHostsDiffer() throws {
        // Given two real binpkgs from different builders
        let json = BinpkgMetadata(try XPAK(contentsOf: Fixtures.testdata("binpkg/json-c-0.9.tbz2"))).compatibilityKey
        let bzip2 = BinpkgMetadata(try XPAK(contentsOf: Fixtures.testdata("binpkg/bzip2-1.0.8-r4-2.xpak"))).compatibilityKey
        // Then the keys name the differing CHOST and CFLAGS
        #expect(json.chost == "i686-pc-linux-gnu" && bzip2.chost == "x86_64-pc-linux-gnu")
        #expect(Set(json.differences(from: bzip2).map(\.component)).isSuperset(of: ["CHOST", "CFLAGS"]))
    }
}
