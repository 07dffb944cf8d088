import Binpkg
import Foundation

// Not built yet: to enable, uncomment the target in Fuzz/Package.swift and add fuzz-gpkg to the default targets
// in Fuzz/run.sh.

/// One input: a binpkg (gpkg tar or xpak) in memory; it must parse or throw, never crash or hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGPKG(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? BinaryPackage(data: data, path: "fuzz.gpkg.tar")
    return 0
}
