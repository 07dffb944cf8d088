// swift-tools-version:6.1
import PackageDescription

// Modules run in one direction: model → formats/store/transport → scheduling → farm use cases → CLI.
let package = Package(
    name: "farmctl",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "farmctl", targets: ["farmctl"]),
        // For the fuzz targets (Fuzz/) and benchmarks (bench/), separate packages that depend on this one.
        .library(name: "Binpkg", targets: ["Binpkg"]),
        .library(name: "Workers", targets: ["Workers"]),
        .library(name: "Scheduler", targets: ["Scheduler"]),
        .library(name: "ISAAudit", targets: ["ISAAudit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // FilePath and errno for swift-subprocess's API (Workers imports SystemPackage where Apple's System is absent).
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        // `farmctl serve`: HTTP server and Prometheus text format.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // OpenSSL libcrypto: SHA-256, SHA-512 and BLAKE2B for binpkgs and Manifests.
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // libarchive: tar containers and their zstd/xz/bzip2/gzip/lz4 filters for binpkg payloads and gpkg.
        .systemLibrary(name: "CArchive", path: "Sources/CArchive", pkgConfig: "libarchive",
                       providers: [.apt(["libarchive-dev"])]),
        // libssh2 (1.10 on Debian 12): SSH sessions, exec channels, SFTP; wrappers for its function-like macros.
        .systemLibrary(name: "CLibSSH2", path: "Sources/CLibSSH2", pkgConfig: "libssh2",
                       providers: [.apt(["libssh2-1-dev"])]),
        // Capstone 4 (Debian 12): x86 instruction decoding with instruction groups, for the ISA audit.
        .systemLibrary(name: "CCapstone", path: "Sources/CCapstone", pkgConfig: "capstone",
                       providers: [.apt(["libcapstone-dev"])]),
        // Value types every module shares: classes, CPVs, atoms, user-facing errors.
        .target(name: "FarmModel"),
        // CPUs: /proc/cpuinfo, instruction-set features, GCC's -march table and -march=native, class fit.
        .target(name: "CPU", dependencies: ["FarmModel"]),
        // workers.conf (TOML), class profiles and make.conf: parsed and validated with file and line.
        .target(name: "FarmConfig", dependencies: ["FarmModel", "CPU"]),
        // Network boot: pxelinux.cfg files, NFS exports, class kernels, written atomically as one set.
        .target(name: "Boot", dependencies: ["FarmModel", "FarmConfig"]),
        // Digests over libcrypto: SHA-256/512, BLAKE2B, SHA1/MD5 of data, files and streams; directory tree stamps.
        .target(name: "Digests", dependencies: ["FarmModel", "CCrypto"]),
        // Binary packages: XPAK and gpkg, image listing and safe extraction, Packages index, PKGDIR and vardb layout.
        .target(name: "Binpkg", dependencies: ["FarmModel", "Digests", "CArchive"]),
        // ISA audit: decodes every ELF file of a root and names each instruction the class's CPU lacks.
        .target(name: "ISAAudit", dependencies: ["FarmModel", "CPU", "CCapstone"]),
        // Seed stages: the userland every class root starts from (tarball or directory), digested, extracted, checked.
        .target(name: "Seed", dependencies: ["FarmModel", "FarmConfig", "Binpkg", "Digests"]),
        // Adapter over the real Portage: config roots, emerge invocations, --pretend parsing, Manifests.
        .target(name: "Portage", dependencies: ["FarmModel", "Workers"],
                resources: [.copy("Helpers")]),
        // Provenance store: builds, binpkgs, root generations in SQLite (GRDB).
        .target(name: "Store", dependencies: ["FarmModel", .product(name: "GRDB", package: "GRDB.swift")]),
        // Transport to workers: commands and verified file copies, locally (and under linux32) or over SSH.
        .target(name: "Workers", dependencies: [
            "FarmModel", "CLibSSH2", "Digests",
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),
        // Class kernels and out-of-tree modules: kbuild out of tree, cached by their inputs, laid out for a root.
        .target(name: "Kernels", dependencies: ["FarmModel", "FarmConfig", "Digests", "Workers"]),
        // Package-level scheduling: DAG, slots, scoring, dispatcher; declares the executor protocol.
        .target(name: "Scheduler", dependencies: ["FarmModel"]),
        // Farm use cases: build, assemble, publish, query.
        .target(name: "Farm", dependencies: [
            "FarmModel", "FarmConfig", "CPU", "Digests", "Binpkg", "Portage", "Store", "Workers", "Scheduler", "Boot", "Seed", "Kernels", "ISAAudit",
        ]),
        // `farmctl serve`: the farm's pages, JSON API, binhost and metrics over HTTP, read-only (Hummingbird).
        .target(name: "Serve", dependencies: [
            "Farm", "FarmModel", "Workers",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // The command line: parsing and rendering only.
        .executableTarget(name: "farmctl", dependencies: [
            "Farm", "FarmModel", "CPU", "Serve",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "FarmModelTests", dependencies: ["FarmModel"]),
        .testTarget(name: "CPUTests", dependencies: ["CPU", "TestSupport"]),
        .testTarget(name: "FarmConfigTests", dependencies: ["FarmConfig", "FarmModel", "TestSupport"]),
        .testTarget(name: "BootTests", dependencies: ["Boot", "FarmConfig", "FarmModel", "TestSupport"]),
        .testTarget(name: "DigestsTests", dependencies: ["Digests"]),
        .testTarget(name: "ISAAuditTests", dependencies: ["ISAAudit", "CPU", "TestSupport"]),
        .testTarget(name: "BinpkgTests", dependencies: ["Binpkg", "Digests", "FarmModel", "TestSupport"]),
        .testTarget(name: "SeedTests", dependencies: ["Seed", "FarmConfig", "TestSupport"]),
        .testTarget(name: "PortageTests", dependencies: ["Portage", "FarmModel", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "FarmModel", "TestSupport"]),
        .testTarget(name: "WorkersTests", dependencies: ["Workers", "TestSupport"]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "FarmModel"]),
        .testTarget(name: "ServeTests", dependencies: ["Serve", "Workers", "TestSupport"]),
        .testTarget(name: "FarmTests", dependencies: ["Farm", "FarmConfig", "Store", "Digests", "Binpkg", "FarmModel", "Workers", "Portage", "Seed", "Kernels", "TestSupport",
                                                   .product(name: "GRDB", package: "GRDB.swift")]),
    ],
    swiftLanguageModes: [.v6]
)
