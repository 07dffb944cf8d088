import Foundation

/// Where test inputs live, and temp copies of them so a test never writes into the tree.
public enum Fixtures {
    /// The repository root (the directory holding Package.swift).
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// `../shared/testdata` beside the repository: real files written by others.
    public static var sharedTestdata: URL {
        if let override = ProcessInfo.processInfo.environment["FARMCTL_SHARED_TESTDATA"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }

    /// A file in the shared test data, e.g. `testdata("binpkg/tape-0-r2-1.xpak")`.
    public static func testdata(_ relativePath: String) -> URL {
        sharedTestdata.appendingPathComponent(relativePath)
    }

    /// The `farmctl` executable SwiftPM built beside this test bundle (`.build/<triple>/<configuration>/farmctl`,
    /// whatever the triple and configuration; `swift test` builds it because the tests depend on it).
    public static let farmctl: String = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // The test process is `<bin>/<Package>PackageTests.xctest` (Linux) or runs inside it (`…xctest/Contents/MacOS`).
        while directory.path != "/" && !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("farmctl").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("farmctl").path
    }()

    /// The fake kbuild tree of fast kernel tests (Tests/Fixtures/kbuild-tree; its README says what it fakes).
    public static var kbuildTree: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures/kbuild-tree") }

    /// A new empty temporary directory, removed by the caller via `removeTemporary`.
    public static func temporaryDirectory(_ label: String = "farmctl-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies `source` (a file or directory) into a fresh temporary directory and returns the copy.
    public static func copyToTemporary(_ source: URL) throws -> URL {
        let directory = try temporaryDirectory()
        let destination = directory.appendingPathComponent(source.lastPathComponent)
        try FileManager.default.copyItem(at: source, to: destination)
        return destination
    }
}
