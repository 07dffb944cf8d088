import Foundation
import ISAAudit

/// One input: parse it as an ELF image; every code range it reports must lie inside the input (the decoder reads
/// them), and a root holding the bytes as a file must audit to a report or a typed error, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzELF(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard let image = ELFImage(data) else { return 0 }
    for range in image.code {
        check(range.fileOffset >= 0 && range.size >= 0 && range.fileOffset + range.size <= data.count,
              "code range \(range.name) at \(range.fileOffset)+\(range.size) outside \(data.count) bytes")
    }
    guard image.isX86 else { return 0 }
    do { try data.write(to: scratchRoot.appendingPathComponent("bin/input")) } catch { fatalError("cannot write the input: \(error)") }
    do {
        let report = try RootAudit(cpuHas: ["mmx", "sse", "cmov", "cx8", "fpu", "tsc"]).audit(root: scratchRoot.path)
        check(report.filesScanned == 1, "one ELF file, \(report.filesScanned) scanned")
    } catch {
        check(!error.problem.isEmpty && !error.fix.isEmpty, "an error without a problem or a fix: \(error)")
    }
    return 0
}

/// This process's root holding the input as `/bin/input`, removed when libFuzzer exits normally.
let scratchRoot: URL = {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-elf-\(getpid())")
    try? FileManager.default.createDirectory(at: url.appendingPathComponent("bin"), withIntermediateDirectories: true)
    atexit { _ = try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "fuzz-elf-\(getpid())") }
    return url
}()

/// Stops the run with `message` when `condition` is false (libFuzzer then keeps the input as a crash).
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
