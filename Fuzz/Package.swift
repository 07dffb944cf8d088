// swift-tools-version:5.4
import PackageDescription

// libFuzzer targets for farmctl's binpkg parsers, run by `make fuzz` (Fuzz/run.sh). Build:
//   swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// Each target exports LLVMFuzzerTestOneInput; libFuzzer supplies main. Tools version 5.4 on purpose: from 5.5 on,
// SwiftPM links executables with `--defsym main=<target>_main`, which -parse-as-library leaves undefined.
let package = Package(
    name: "farmctl-fuzz",
    dependencies: [.package(name: "farmctl", path: "..")],
    targets: [
        // XPAK(fileData:path:) on any bytes: a typed error or a parse whose text values are their raw bytes decoded,
        // and the same result from XPAK(contentsOf:) on the bytes written to a file.
        .executableTarget(name: "fuzz-xpak", dependencies: [.product(name: "Binpkg", package: "farmctl")]),
        // PackagesIndex(parsing:path:) on UTF-8 text; an index that parses must survive serialize → parse unchanged.
        .executableTarget(name: "fuzz-packages", dependencies: [.product(name: "Binpkg", package: "farmctl")]),
        // BinaryPackage(data:path:) on any bytes (gpkg and xpak detection, gpkg container, metadata, Manifest).
        .executableTarget(name: "fuzz-gpkg", dependencies: [.product(name: "Binpkg", package: "farmctl")]),
        // ELFImage on any bytes: code ranges inside the input; a root holding it audits without a crash.
        .executableTarget(name: "fuzz-elf", dependencies: [.product(name: "ISAAudit", package: "farmctl")]),
    ]
)
