import CPU
import Foundation
import TestSupport

/// The real GCC 12 `-march=native`: Debian's 32-bit gcc driver run under qemu-i386 with a CPUID rebuilt
/// from a dump (vendor, family, model, stepping, brand string, flags). scripts/bootstrap.sh installs both.
struct GCCNativeOracle {
    let driver: String
    let qemu = "/usr/bin/qemu-i386"
    let qemuFlags: Set<String>

    init() throws {
        driver = ProcessInfo.processInfo.environment["FARMCTL_GCC_I386"]
            ?? Fixtures.repositoryRoot.appendingPathComponent(".tools/gcc-i386/usr/bin/i686-linux-gnu-gcc-12").path
        guard FileManager.default.isExecutableFile(atPath: driver), FileManager.default.isExecutableFile(atPath: qemu) else {
            throw OracleError("the -march=native oracle needs \(qemu) and \(driver): run `make bootstrap` (scripts/bootstrap.sh) as root")
        }
        let (_, help) = try ExampleFarm.run(qemu, ["-cpu", "help"])
        let listed = help.components(separatedBy: "Recognized CPUID flags:").last ?? ""
        qemuFlags = Set(listed.split(whereSeparator: \.isWhitespace).map(String.init))
    }

    /// The qemu `-cpu` value that reproduces `cpu`'s CPUID as far as qemu can; cmov is always added (the
    /// 32-bit driver is i686 code), which `cpuLacksCmov` reports.
    func cpuModel(_ cpu: CPUDescription) -> String {
        var parts = ["486", "vendor=\(vendorString(cpu))", "family=\(cpu.family ?? 0)", "model=\(cpu.model ?? 0)",
                     "stepping=\(cpu.stepping ?? 0)", "level=13", "xlevel=0x80000008"]
        // qemu cannot take a comma inside -cpu values; only the first four letters matter (AMD Geode).
        if let name = cpu.modelName { parts.append("model-id=\(name.replacingOccurrences(of: ",", with: " "))") }
        var flags = Set((cpu.features ?? []).map(qemuName))
        flags.insert("cmov")
        flags.insert("fpu")
        parts += flags.filter(qemuFlags.contains).sorted().map { "+\($0)" }
        return parts.joined(separator: ",")
    }

    /// GCC's `-march=` for `cpu`, or nil when GCC 12.2 stops with an internal compiler error (it does on
    /// Cyrix and NSC CPUs: `gcc_assert` in cpu_indicator_init).
    /// `dropped` lists the dump's features qemu's TCG cannot emulate and leaves out of the CPUID it shows.
    func march(for cpu: CPUDescription) throws -> (march: String, dropped: Set<ISAFeature>)? {
        // qemu-i386 cannot show long mode: 64-bit CPUs run the host's own (x86-64) GCC 12 under qemu-x86_64.
        let (emulator, compiler) = cpu.isLongMode ? ("/usr/bin/qemu-x86_64", "/usr/bin/x86_64-linux-gnu-gcc-12") : (qemu, driver)
        let (status, output) = try ExampleFarm.run(emulator, ["-cpu", cpuModel(cpu), compiler, "-march=native", "-E", "-v", "-x", "c", "/dev/null", "-o", "/dev/null"])  // cc1 is not unpacked: the driver prints its command line, then stops
        if output.contains("internal compiler error: in cpu_indicator_init") { return nil }
        guard let range = output.range(of: #" -march=[a-z0-9.-]+"#, options: .regularExpression) else {
            throw OracleError("gcc under qemu printed no -march (exit \(status)) for \(cpuModel(cpu)):\n\(output.suffix(400))")
        }
        let byQemuName = Dictionary((cpu.features ?? []).map { (qemuName($0), $0) }, uniquingKeysWith: { a, _ in a })
        let dropped = output.split(separator: "\n").compactMap { line -> ISAFeature? in
            guard line.contains("TCG doesn't support requested feature"), let bit = line.range(of: " [bit") else { return nil }
            let name = line[..<bit.lowerBound].split(separator: ".").last.map(String.init) ?? ""
            return byQemuName[name]
        }
        return (String(output[range].dropFirst(" -march=".count)), Set(dropped))
    }

    private func vendorString(_ cpu: CPUDescription) -> String {
        let id = cpu.vendorID ?? ""
        return id.count == 12 ? id : (cpu.vendor == .other ? "UnknownVendr" : cpu.vendor.rawValue)
    }

    private func qemuName(_ feature: ISAFeature) -> String {
        switch feature.rawValue {
        case "sse4_1": "sse4.1"
        case "sse4_2": "sse4.2"
        case "sse3": "pni"
        case let name where name.hasPrefix("avx512_"): "avx512" + (["vpopcntdq", "bf16", "4vnniw", "4fmaps", "vp2intersect", "fp16"]
            .contains(String(name.dropFirst(7))) ? "-" : "") + name.dropFirst(7)
        default: feature.rawValue.replacingOccurrences(of: "_", with: "-")
        }
    }
}

struct OracleError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
