// swift-tools-version:6.1
import PackageDescription

// The dispatch benchmark (run.sh): one remote `true` through farmctl's SSHTransport on a reused session, against
// OpenSSH's client with and without a ControlMaster, all on one throwaway sshd on loopback.
let package = Package(
    name: "dispatch-bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "farmctl", path: "../..")],
    targets: [
        // `dispatch-bench --host A --port P --identity KEY --known-hosts FILE --control-path SOCK [-n N]`.
        .executableTarget(name: "dispatch-bench", dependencies: [.product(name: "Workers", package: "farmctl")]),
    ],
    swiftLanguageModes: [.v6]
)
