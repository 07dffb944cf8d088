import CPU
import Foundation
import Testing

@Suite("Reading /proc/cpuinfo")
struct CPUInfoTests {
    @Test("Given every shared dump, when read, then vendor, family, model, name, processors and key flags match INDEX.csv")
    func sharedDumpsMatchIndex() throws {
        let index = try Dumps.text(Dumps.shared.appendingPathComponent("INDEX.csv")).split(whereSeparator: \.isNewline).dropFirst()
        var checked = 0
        for line in index {
            let fields = CSV.fields(String(line))
            let cpu = try Dumps.describe(Dumps.shared.appendingPathComponent(fields[0]))
            #expect(cpu.vendorID == fields[1], "\(fields[0])")
            #expect(cpu.family == Int(fields[2]), "\(fields[0])")
            #expect(cpu.model == Int(fields[3]), "\(fields[0])")
            #expect(cpu.modelName == fields[4].split(separator: " ").joined(separator: " "), "\(fields[0])")
            #expect(cpu.processorCount == Int(fields[5]), "\(fields[0])")
            let expected = Set<ISAFeature>(cpuinfoFlags: fields[6].split(separator: " ")).subtracting(["hypervisor"])
            #expect(expected.isSubset(of: cpu.features ?? []), "\(fields[0]) lacks \(expected.subtracting(cpu.features ?? []))")
            checked += 1
        }
        #expect(checked == 60)
    }

    @Test("Given every real x86 dump (shared and Tests/Fixtures/cpuinfo-extra), when read, then each has a vendor and a family")
    func everyDumpParses() throws {
        let dumps = try Dumps.x86()
        #expect(dumps.count >= 100)
        for (name, url) in dumps {
            let cpu = try Dumps.describe(url)
            #expect(cpu.vendorID != nil && cpu.family != nil, "\(name)")
        }
    }

    @Test("Given a flags line wrapped by a mail client and a pasted note, when read, then the flags join and the note is ignored")
    func wrappedFlagsAndNotes() throws {
        let text = """
        processor\t: 0
        vendor_id\t: GenuineIntel
        cpu family\t: 6
        model\t\t: 8
        model name\t: Pentium III (Coppermine)
        flags\t\t: fpu vme de pse tsc msr pae mce cx8 sep mtrr pge mca
        cmov pat pse36 mmx fxsr sse
        this is the box in the corner, it runs hot
        Note: bogomips below
        bogomips\t: 1730.15
        """
        let info = try CPUInfo(parsing: text, source: "mail.txt")
        let cpu = CPUDescription(info)
        #expect(cpu.features?.isSuperset(of: ["cmov", "mmx", "sse", "mmxext"]) == true)
        #expect(cpu.features?.contains("this") == false)
        #expect(info.ignoredLines == [8])
        #expect(cpu.notes.contains { $0.contains("ignored 1 line") })
    }

    @Test("Given mail quoting, quoted-printable soft breaks and keys split from values, when read, then the fields are whole")
    func mailMangling() throws {
        let text = "> processor\n> : 0\n> vendor_id\t: AuthenticAMD\n> cpu family\t: 6\n> model\t\t: 10\n> flags\t\t: fpu cx8 cmov =\n> mmx sse 3dnowext 3dnow\n"
        let cpu = try CPUDescription(parsing: text, source: "quoted.txt")
        #expect(cpu.vendor == .amd && cpu.family == 6 && cpu.model == 10)
        #expect(cpu.features?.isSuperset(of: ["cmov", "mmx", "sse", "3dnow", "3dnowext"]) == true)
    }

    @Test("Given a Linux 2.0 dump (`cpu : 686`) and 2.2's `xmm` flag, when read, then family 6 and sse are found")
    func oldFormats() throws {
        let text = "processor\t: 0\ncpu\t\t: 686\nmodel\t\t: Pentium III\nvendor_id\t: GenuineIntel\nsep_bug\t\t: no\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 sep mtrr pge mca cmov pat pse36 mmx fxsr xmm\n"
        let cpu = try CPUDescription(parsing: text, source: "old.txt")
        #expect(cpu.family == 6 && cpu.model == nil && cpu.modelName == "Pentium III")
        #expect(cpu.features?.contains("sse") == true)
    }

    @Test("Given processors with different flags (hybrid), when read, then the features are those every processor has")
    func hybrid() throws {
        let text = "processor : 0\nvendor_id : GenuineIntel\ncpu family : 6\nmodel : 151\nflags : fpu cmov sse sse2 avx avx2 avx512f\n\nprocessor : 1\nvendor_id : GenuineIntel\ncpu family : 6\nmodel : 151\nflags : fpu cmov sse sse2 avx avx2\n"
        let cpu = try CPUDescription(parsing: text, source: "hybrid.txt")
        #expect(cpu.features?.contains("avx512f") == false && cpu.features?.contains("avx2") == true)
        #expect(cpu.processorsDiffer)
    }

    @Test("Given a dump cut off before its flags line, when read, then it parses with unknown features and a note")
    func truncated() throws {
        let cpu = try Dumps.describe(Dumps.shared.appendingPathComponent("x86_quad-core-amd-opteron-2376_glpi-agent-esx.txt"))
        #expect(cpu.features == nil && cpu.family == 16)
        #expect(NativeMarch(for: cpu) == nil)
        #expect(cpu.notes.contains { $0.contains("truncated") })
    }

    @Test("Given ARM and POWER dumps, when read, then the error names the file, the architecture and says x86 only")
    func unsupportedArchitectures() throws {
        for (file, architecture) in [("arm_armv6-bcm2708-raspberry-pi-model-b_py-cpuinfo-test_linux_raspberry_pi_model_b_arm.txt", "ARM"),
                                     ("ppc64le_power7-qemu-pseries_py-cpuinfo-test_linux_debian_8_7_1_ppc64le.txt", "PowerPC")] {
            let error = #expect(throws: CPUInfoError.self) {
                try Dumps.describe(Dumps.extra.appendingPathComponent(file))
            }
            #expect(error?.kind == .unsupportedArchitecture)
            #expect(error?.problem.contains(file) == true && error?.problem.contains(architecture) == true, "\(error?.problem ?? "")")
            #expect(error?.problem.contains("x86") == true)
        }
    }

    @Test("Given text that is not a cpuinfo, when read, then one error says so and how to capture one")
    func notACPUInfo() {
        let error = #expect(throws: CPUInfoError.self) { try CPUInfo(parsing: "hello world\n\n", source: "notes.txt") }
        #expect(error?.kind == .empty)
        #expect(error?.fix.contains("/proc/cpuinfo") == true)
    }
}

/// Just enough CSV for INDEX.csv: commas, double-quoted fields.
enum CSV {
    static func fields(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false
        for character in line {
            if character == "\"" { quoted.toggle() }
            else if character == ",", !quoted { fields.append(current); current = "" }
            else { current.append(character) }
        }
        fields.append(current)
        return fields
    }
}
