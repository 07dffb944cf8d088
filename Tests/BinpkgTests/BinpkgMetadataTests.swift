import Binpkg
import FarmModel
import Foundation
import Testing
import TestSupport

@Suite("BinpkgMetadata over real XPAK keys")
struct BinpkgMetadataTests {
    func metadata(_ file: String) throws -> BinpkgMetadata {
        BinpkgMetadata(try XPAK(contentsOf: BinpkgSample.named(file).url))
    }

    @Test("bzip2 (2023, multi-instance): identity, flags, slot, build id and time")
    func bzip2() throws {
        // Given bzip2's binpkg, when viewed as metadata
        let bzip2 = try metadata("bzip2-1.0.8-r4-2.xpak")

        // Then the typed accessors give the trimmed values
        #expect(bzip2.cpv == "app-arch/bzip2-1.0.8-r4")
        #expect(bzip2.parsedCPV == CPV(category: "app-arch", package: "bzip2", version: "1.0.8-r4"))
        #expect(bzip2.chost == "x86_64-pc-linux-gnu")
        #expect(bzip2.cflags == "-O2 -pipe")
        #expect(bzip2.cxxflags == "-O2 -pipe")
        #expect(bzip2.slot == "0/1")
        #expect(bzip2.buildID == 1)
        #expect(bzip2.buildTime == 1688130909)
        #expect(bzip2.eapi == "7")
        #expect(bzip2.repository == "gentoo")
        #expect(bzip2.use == ["abi_x86_64", "amd64", "elibc_glibc", "kernel_linux"])
        #expect(bzip2.iuse.first == "static" && bzip2.iuse.count == 12)
        #expect(bzip2.rdepend == nil)
        #expect(bzip2.cpuFlagsX86 == nil)
    }

    @Test("portage-utils: dependencies, LDFLAGS and IUSE defaults")
    func portageUtils() throws {
        // Given portage-utils' binpkg viewed as metadata; then dependencies and flags read as Python saw them
        let utils = try metadata("portage-utils-0.96-r1-2.xpak")
        let expectedDepend = "|| ( sys-devel/gcc:*[openmp] sys-libs/libomp ) app-crypt/gpgme:= app-crypt/libb2:= "
            + "dev-libs/openssl:0/3= sys-libs/zlib:0/1= dev-libs/openssl:0/3="
        #expect(utils.depend == expectedDepend)
        #expect(utils.rdepend == expectedDepend)
        #expect(utils.bdepend == "virtual/pkgconfig")
        #expect(utils.ldflags == "-Wl,-O1 -Wl,--as-needed -fuse-ld=lld -rtlib=compiler-rt -unwindlib=libunwind -Wl,--as-needed")
        #expect(utils.iuse == ["openmp", "+qmanifest", "+qtegrity", "static"])
        #expect(utils.iuseNames == ["openmp", "qmanifest", "qtegrity", "static"])
        #expect(utils.use.contains("qtegrity") && !utils.use.contains("static"))
        #expect(utils.eapi == "8")
    }

    @Test("json-c (2014, i686 cross build): CHOST and CFLAGS, no BUILD_ID")
    func jsonC() throws {
        // Given the 2014 i686 json-c binpkg viewed as metadata; then its cross-build settings show
        let json = try metadata("json-c-0.9.tbz2")
        #expect(json.cpv == "dev-libs/json-c-0.9")
        #expect(json.chost == "i686-pc-linux-gnu")
        #expect(json.cflags?.contains("-mtune=atom") == true)
        #expect(json.buildID == nil)
        #expect(json.eapi == "2")
        #expect(json.use.contains("x86"))
    }

    @Test("CPU_FLAGS_X86: the explicit key wins, else cpu_flags_x86_* USE flags, else nil", arguments: [
        (["CPU_FLAGS_X86": "mmx sse\n", "USE": "cpu_flags_x86_sse2 amd64\n"], Set(["mmx", "sse"])),
        (["USE": "cpu_flags_x86_sse2 cpu_flags_x86_mmxext amd64\n"], Set(["sse2", "mmxext"])),
        (["USE": "amd64\n"], nil),
    ] as [([String: String], Set<String>?)])
    func cpuFlags(values: [String: String], expected: Set<String>?) {
        // Given metadata values; when CPU_FLAGS_X86 is asked for; then the key, the USE flags or nil answer
        #expect(BinpkgMetadata(values: values).cpuFlagsX86 == expected)
    }

    @Test("exactly one trailing newline is trimmed from each value")
    func trimsOneNewline() {
        // Given values with zero, one and two trailing newlines; then exactly one is trimmed
        let metadata = BinpkgMetadata(values: ["DESCRIPTION": "two lines\n\n", "SLOT": "0", "CHOST": "\n"])
        #expect(metadata["DESCRIPTION"] == "two lines\n")
        #expect(metadata.slot == "0")
        #expect(metadata.chost == "")
    }

    @Test("missing or empty CATEGORY/PF gives no cpv")
    func noCPV() {
        // Given metadata missing CATEGORY or with an empty one; then there is no cpv
        #expect(BinpkgMetadata(values: ["PF": "foo-1\n"]).cpv == nil)
        #expect(BinpkgMetadata(values: ["CATEGORY": "\n", "PF": "foo-1\n"]).cpv == nil)
        #expect(BinpkgMetadata(values: ["CATEGORY": "a\n", "PF": "foo-1\n"]).cpv == "a/foo-1")
    }
}
