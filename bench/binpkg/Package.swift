// swift-tools-version:6.1
import PackageDescription

// The XPAK read benchmark (bench/binpkg/run.sh): reads the metadata of every binpkg of a generated PKGDIR.
let package = Package(
    name: "binpkg-bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "farmctl", path: "../..")],
    targets: [
        // `binpkg-bench PKGDIR`: XPAK(contentsOf:) of every file in PKGDIR/files.txt; prints files/s.
        .executableTarget(name: "binpkg-bench", dependencies: [.product(name: "Binpkg", package: "farmctl")]),
    ],
    swiftLanguageModes: [.v6]
)
