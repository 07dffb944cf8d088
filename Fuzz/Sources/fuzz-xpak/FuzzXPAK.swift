import Binpkg
import Foundation

/// One input: parse it from memory and from a file; both must agree, and every text value must be its raw bytes
/// decoded as `String(decoding:as:)` does (the reader has its own fast decoder for binary values).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXPAK(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    do { try data.write(to: scratchFile) } catch { fatalError("cannot write \(scratchFile.path): \(error)") }
    let fromMemory = Result { () throws(XPAKError) in try XPAK(fileData: data, path: scratchFile.path) }
    let fromFile = Result { () throws(XPAKError) in try XPAK(contentsOf: scratchFile) }
    check(fromFile == fromMemory, "from a file: \(fromFile)\nfrom memory: \(fromMemory)")
    switch fromMemory {
    case .failure(let error):
        check(!error.problem.isEmpty && !error.fix.isEmpty, "an error without a problem or a fix: \(error)")
    case .success(let xpak):
        check(Set(xpak.keys).count == xpak.keys.count, "duplicate keys in \(xpak.keys)")
        check(Set(xpak.keys) == Set(xpak.values.keys) && Set(xpak.keys) == Set(xpak.rawData.keys), "keys differ")
        for (key, raw) in xpak.rawData {
            let expected = String(decoding: raw, as: UTF8.self)
            check(xpak.values[key]!.utf8.elementsEqual(expected.utf8), "\(key): text is not its bytes decoded: \(Array(raw))")
        }
    }
    return 0
}

/// This process's file for the input (libFuzzer runs one input at a time), removed when libFuzzer exits normally.
let scratchFile: URL = {
    atexit { unlink(scratchPath()) }
    return URL(fileURLWithPath: scratchPath())
}()

func scratchPath() -> String { NSTemporaryDirectory() + "fuzz-xpak-\(getpid()).xpak" }

/// Crashes with `message` when `condition` is false, so libFuzzer saves the input.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("property violated: \(message())") }
}
