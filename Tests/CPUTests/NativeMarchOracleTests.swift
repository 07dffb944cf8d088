import CPU
import Foundation
import Testing

@Suite("GCC's own -march=native agrees with farmctl's on every real dump")
struct NativeMarchOracleTests {
    @Test("Given each real x86 dump, when GCC 12 runs -march=native on its CPUID under qemu, then it picks the same name")
    func everyDump() throws {
        let oracle = try GCCNativeOracle()
        var compared = 0
        var disagreements: [String] = []
        var crashed: [String] = []
        var newer: [String] = []
        for (name, url) in try Dumps.x86() {
            let cpu = try Dumps.describe(url)
            guard cpu.features != nil else { continue }   // no flags: nothing to compare
            if cpu.features?.contains("cmov") == false { continue }   // the 32-bit driver itself needs cmov
            guard let (gcc, dropped) = try oracle.march(for: cpu) else {
                crashed.append("\(name) (\(cpu.vendor.displayName))")
                continue
            }
            if cpu.vendor == .intel, cpu.family == 6, NativeMarch.modelsNewerThanGCC12.contains(cpu.model ?? 0) {
                newer.append("\(name): GCC 12 \(gcc)")
                continue
            }
            compared += 1
            var shown = cpu
            shown.features?.subtract(dropped)
            let ours = NativeMarch(for: shown)!
            if gcc != ours.name { disagreements.append("\(name): GCC \(gcc), farmctl \(ours.name) (\(ours.reason))") }
        }
        print("oracle: compared \(compared) dumps; GCC 12.2 crashed on \(crashed.count): \(crashed.joined(separator: ", "))")
        print("oracle: models newer than GCC 12 (GCC 13+ names them): \(newer.joined(separator: ", "))")
        #expect(compared >= 60)
        #expect(disagreements == [], "\(disagreements.joined(separator: "\n"))")
    }
}
