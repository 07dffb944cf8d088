import CPU
import Testing

@Suite("GCC's -march=native, reproduced")
struct NativeMarchTests {
    /// What farmctl suggests for every real dump. Those with cmov and a readable CPUID were checked against GCC 12's
    /// own driver (NativeMarchOracleTests); the rest by hand against driver-i386.cc's rules (K6, Pentium, Cyrix,
    /// VIA C3/C7, where GCC 12.2 crashes or its 32-bit driver cannot run).
    static let expected: [(String, String)] = [
        ("x86-32_amd-athlon-k75-800-messy-whitespace-wrapped_lkml-2001-adams.txt", "athlon"),
        ("x86-32_amd-athlon-mp-1800-palomino-2cpu-wrapped_lkml-2003-poetzl.txt", "athlon-4"),
        ("x86-32_amd-athlon-thunderbird-1200_lkml-2001-attachment.txt", "athlon"),
        ("x86-32_amd-athlon-xp-1600-palomino_lkml-2004-kernel-2.6.9.txt", "athlon-4"),
        ("x86-32_amd-athlon-xp-2800-barton_lkml-2005.txt", "athlon-4"),
        ("x86-32_amd-athlon-xp-thoroughbred-2000-generic-name_lkml-2005-kernel-2.6.10.txt", "athlon-4"),
        ("x86-32_amd-duron-morgan-1200_lkml-2002-dietsche.txt", "athlon-4"),
        ("x86-32_amd-duron-spitfire-900-wrapped_lkml-2001-kmail.txt", "athlon"),
        ("x86-32_amd-k6-2-400_lkml-2000-features-line.txt", "k6-3"),
        ("x86-32_amd-k6-2-400_lkml-2000-quoted.txt", "k6-3"),
        ("x86-32_amd-k6-2-400_lkml-2001-lenart.txt", "k6-3"),
        ("x86-32_cyrix-486dlc-unknown-empty-flags_lkml-2002-kernel-2.2.19.txt", "i486"),
        ("x86-32_cyrix-6x86-family4-no-cpuid_lkml-2001-welch.txt", "i486"),
        ("x86-32_intel-celeron-coppermine128-500_lkml-2001-mouw.txt", "pentium3"),
        ("x86-32_intel-celeron-mendocino-500_lkml-2001-windl.txt", "pentium2"),
        ("x86-32_intel-celeron-tualatin-1300_lkml-2003-kawa.txt", "pentium3"),
        ("x86-32_intel-pentium-m-banias-1600-cache0-wrapped_lkml-2003-list-petersen.txt", "pentium-m"),
        ("x86-32_intel-pentium-mmx-200_lkml-2001-hpt366.txt", "pentium-mmx"),
        ("x86-32_intel-pentium-p54c-133-kernel-bug-garbage-cpus_lkml-2001-merillat.txt", "pentium"),
        ("x86-32_intel-pentium-p54c-166-f00f_lkml-2002-domingo.txt", "pentium"),
        ("x86-32_intel-pentium-pro-150-2cpu-sep_bug_lkml-2002-kernel-2.2.22.txt", "pentiumpro"),
        ("x86-32_intel-pentium-pro-200-2cpu_lkml-2001-carlson.txt", "pentiumpro"),
        ("x86-32_intel-pentium-pro-truncated_lkml-2001-johansson.txt", "-"),
        ("x86-32_intel-pentium2-deschutes-400-2cpu_lkml-2002-johnson.txt", "pentium2"),
        ("x86-32_intel-pentium2-klamath+deschutes-333-smp_lkml-2002-quoted.txt", "pentium2"),
        ("x86-32_intel-pentium3-coppermine-850+pentium2-deschutes-350-asym-smp_lkml-2001-qp-softbreak.txt", "pentium2"),
        ("x86-32_intel-pentium3-coppermine-866_github-masscan-112.txt", "pentium3"),
        ("x86-32_intel-pentium3-katmai-500_lkml-2002-iphase.txt", "pentium3"),
        ("x86-32_intel-pentium3-katmai-550_lkml-2001-qp-softbreak.txt", "pentium3"),
        ("x86-32_intel-pentium3-tualatin-1133-2cpu-mangled-newlines_lkml-2002-peralta.txt", "pentium3"),
        ("x86-32_intel-pentium3-xeon-katmai-550-2cpu_git-list-2009-wrapped.txt", "pentium3"),
        ("x86-32_intel-pentium4-willamette-1600-mhz-zero-wrapped_lkml-2003-gopi-kernel-2.5.65.txt", "pentium4"),
        ("x86-32_intel-pentium4-willamette-1600_lkml-2003-gopi-kernel-2.4.18.txt", "pentium4"),
        ("x86-32_ns-geode-gx1-233_lkml-2002-theron.txt", "pentium-mmx"),
        ("x86-32_transmeta-crusoe-tm5500-family5-kernel6_lkml-2024-mazur.txt", "pentium-mmx"),
        ("x86-32_transmeta-crusoe-tm5800-1000_lkml-2003-lorenz.txt", "pentium2"),
        ("x86-32_via-c3-ezra-933_lkml-2006-attachment.txt", "c3"),
        ("x86-32_via-c3-nehemiah-667-wrapped_lkml-2006-gentoo-epia.txt", "nehemiah"),
        ("x86-32_via-c7-esther-1500_forum-2011.txt", "c7"),
        ("x86-32kernel_amd-athlon64-3200_cpan-system-info.txt", "k8-sse3"),
        ("x86-32kernel_amd-phenom-9550-k10-up-kernel_forum-2008.txt", "amdfam10"),
        ("x86-32kernel_intel-core2-t5600-merom_cpan-system-info.txt", "core2"),
        ("x86_11th-gen-intel-core-i7-1165g7-2.80_util-linux-x86_64-64cpu-linux6.2.txt", "tigerlake"),
        ("x86_13th-gen-intel-core-i7-1370p_hwloc-20em64t-hybrid-1p6c2t+2ca4co1t.txt", "alderlake"),
        ("x86_amd-engineering-sample_hwloc-48amd64-4pa2n6c-sparse.txt", "amdfam10"),
        ("x86_amd-engineering-sample_util-linux-i386-amdshanghai.txt", "amdfam10"),
        ("x86_amd-epyc-7451-24-core_util-linux-x86_64-epyc_7451.txt", "znver1"),
        ("x86_amd-opteron-6134_hwloc-32amd64-4s2n4c-cgroup2.txt", "amdfam10"),
        ("x86_amd-opteron-6276_hwloc-64amd64-4s2n4ca2co.txt", "bdver1"),
        ("x86_amd-opteron-6328_util-linux-vmware_fpe.txt", "bdver2"),
        ("x86_amd-ryzen-7-2700x-eight-core_py-cpuinfo-test_linux_fedora_29_x86_64_ryzen_7.txt", "bdver4"),
        ("x86_amd-ryzen-7-2700x-eight-core_py-cpuinfo-test_linux_ubuntu_22_04_x86_64.txt", "znver1"),
        ("x86_amd-ryzen-9-5950x-zen3_archspec-json-linux-ubuntu20.04-znver3.txt", "znver3"),
        ("x86_dual-core-amd-opteron-270_util-linux-x86_64-ibme326m.txt", "k8-sse3"),
        ("x86_dual-core-amd-opteron-865_hwloc-16amd64-8n2c.txt", "k8-sse3"),
        ("x86_genuine-intel-2.66_hwloc-96em64t-4no4pa3ca2co.txt", "core2"),
        ("x86_intel-atom-n270-1.60_glpi-agent-linux-2.6.35-1-core-2-thread.txt", "bonnell"),
        ("x86_intel-atom-n270-1.60_glpi-agent-linux-686-samsung-nc10-1.txt", "bonnell"),
        ("x86_intel-core-i3-m-350-2.27_glpi-agent-toshiba-r630-2-core.txt", "westmere"),
        ("x86_intel-core-i5-2500s-2.70_glpi-agent-rhel-6.3-esx-1vcpu.txt", "sandybridge"),
        ("x86_intel-core-i5-3317u-1.70_util-linux-vbox-win.txt", "ivybridge"),
        ("x86_intel-core-i5-m-560-2.67_util-linux-x86_64-dell_e4310.txt", "westmere"),
        ("x86_intel-core-i7-870-2.93_py-cpuinfo-test_linux_debian_8_x86_64.txt", "nehalem"),
        ("x86_intel-core-skylake-ibrs_hwloc-2pa-pcidomain32bits.txt", "skylake"),
        ("x86_intel-core-ultra-9-285-arrowlake_archspec-json-linux-ubuntu24.04-alderlake.txt", "arrowlake-s"),
        ("x86_intel-pentium-4-3.40_util-linux-i386-dellpe700.txt", "pentium4"),
        ("x86_intel-pentium-g640-2.80_py-cpuinfo-test_bug_152_cpu_zero.txt", "core2"),
        ("x86_intel-pentium-g640-2.80_py-cpuinfo-test_linux_debian_8_5_x86_64.txt", "sandybridge"),
        ("x86_intel-pentium-g640-2.80_py-cpuinfo-test_linux_gentoo_2_2_x86_64.txt", "sandybridge"),
        ("x86_intel-pentium-g640-2.80_py-cpuinfo-test_linux_ubuntu_16_04_x86_64.txt", "sandybridge"),
        ("x86_intel-pentium-m-1.73_glpi-agent-linux-686-1.txt", "pentium-m"),
        ("x86_intel-xeon-2.60_hwloc-16em64t-4s2c2t.txt", "nocona"),
        ("x86_intel-xeon-3.00_hwloc-2i386-2t-hugepagesizecount.txt", "nocona"),
        ("x86_intel-xeon-3.80_util-linux-x86_64-necem14.txt", "nocona"),
        ("x86_intel-xeon-5130-2.00_hwloc-2i386-2c-nohugepage.txt", "core2"),
        ("x86_intel-xeon-e5-2680-0-2.70_hwloc-32em64t-2n8c+dax+nvme+mic+dimms.txt", "sandybridge"),
        ("x86_intel-xeon-e5-2680-v3-2.50_hwloc-offline-cpu0-node0.txt", "haswell"),
        ("x86_intel-xeon-e5-2699-v3-2.30_glpi-agent-oracle-server-6.7-oda.txt", "haswell"),
        ("x86_intel-xeon-e5310-1.60_util-linux-i386-intels5000phb.txt", "core2"),
        ("x86_intel-xeon-e5345-2.33_hwloc-8em64t-2s2ca2c.txt", "core2"),
        ("x86_intel-xeon-e5345-2.33_util-linux-x86_64-dell_poweredge1950.txt", "core2"),
        ("x86_intel-xeon-e5472-3.00_hwloc-8em64t-2s2ca2c-buggynuma.txt", "core2"),
        ("x86_intel-xeon-e5504-2.00_glpi-agent-linux-hp-dl180.txt", "nehalem"),
        ("x86_intel-xeon-e5520-2.27_util-linux-x86_64-dell_poweredgeR610.txt", "nehalem"),
        ("x86_intel-xeon-e5530-2.40_util-linux-x86_64-el5xen.txt", "nehalem"),
        ("x86_intel-xeon-e5540-2.53_util-linux-x86_64-dellr710.txt", "nehalem"),
        ("x86_intel-xeon-e5620-2.40_glpi-agent-rhel-5.6.txt", "westmere"),
        ("x86_intel-xeon-e7-4870-2.40_hwloc-40intel64-2g2n4c+pcilocality.txt", "westmere"),
        ("x86_intel-xeon-e7520-1.87_glpi-agent-rhel-6.2-vmware-2vcpus.txt", "sandybridge"),
        ("x86_intel-xeon-gold-6230-2.10_hwloc-fakememinitiators-1np2c+1npp+gi.txt", "cascadelake"),
        ("x86_intel-xeon-gold-6230-2.10_hwloc-memorysidecaches.txt", "cascadelake"),
        ("x86_intel-xeon-l5420-2.50_util-linux-i386-xenpara.txt", "core2"),
        ("x86_intel-xeon-l5420-2.50_util-linux-x86_64-xenfull.txt", "core2"),
        ("x86_intel-xeon-silver-4108-1.80_hwloc-32intel64-2p8co2t+8ve.txt", "skylake-avx512"),
        ("x86_intel-xeon-x7550-2.00_util-linux-x86_64-64cpu.txt", "nehalem"),
        ("x86_qemu-virtual-version-2.5+_hwloc-fakecpuid1f-64intel64-2p4d2n2c2t.txt", "x86-64"),
        ("x86_qemu-virtual-version-2.5+_hwloc-fakeheteromemtiers.txt", "nocona"),
        ("x86_quad-core-amd-opteron-2376_glpi-agent-esx.txt", "-"),
        ("x86_quad-core-amd-opteron-8347-he_hwloc-16amd64-4n4c-cgroup-distance-merge.txt", "amdfam10"),
        ("x86_quad-core-amd-opteron-8354_util-linux-x86_64-hpdl585.txt", "amdfam10"),
    ]

    @Test("Given each real dump, when GCC's -march=native rules run on it, then the name is the one established for it")
    func everyDump() throws {
        let dumps = Dictionary(uniqueKeysWithValues: try Dumps.x86().map { ($0.name, $0.url) })
        #expect(dumps.count == Self.expected.count)
        for (file, march) in Self.expected {
            let cpu = try Dumps.describe(try #require(dumps[file], "\(file) is missing"))
            #expect((NativeMarch(for: cpu)?.name ?? "-") == march, "\(file)")
        }
    }

    @Test("Given GCC's names for Athlon XP and K6-2, when compared by instruction set, then the aliases are equal")
    func aliasesAreEqual() throws {
        let athlon4 = try #require(March.named("athlon-4"))
        #expect(athlon4.sameISA.sorted() == ["athlon-mp", "athlon-xp"])
        #expect(try #require(March.named("k6-3")).isSameISA(as: try #require(March.named("k6-2"))))
        #expect(try #require(March.named("i686")).isSameISA(as: try #require(March.named("pentiumpro"))))
        #expect(!(try #require(March.named("pentium3")).isSameISA(as: athlon4)))
    }

    @Test("Given a Pentium III and an Athlon XP, when their CPU_FLAGS_X86 are listed, then they are cpuid2cpuflags' values")
    func cpuFlags() throws {
        let p3 = try Dumps.describe(Dumps.shared.appendingPathComponent("x86-32_intel-pentium3-coppermine-866_github-masscan-112.txt"))
        #expect(p3.cpuFlagsX86 == ["mmx", "mmxext", "sse"])
        let xp = try Dumps.describe(Dumps.shared.appendingPathComponent("x86-32_amd-athlon-xp-2800-barton_lkml-2005.txt"))
        #expect(xp.cpuFlagsX86 == ["3dnow", "3dnowext", "mmx", "mmxext", "sse"])
    }
}
