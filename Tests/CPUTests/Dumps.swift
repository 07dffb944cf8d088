import CPU
import Foundation
import TestSupport

/// The real /proc/cpuinfo dumps: ../shared/testdata/cpuinfo and Tests/Fixtures/cpuinfo-extra.
enum Dumps {
    static var shared: URL { Fixtures.testdata("cpuinfo") }
    static var extra: URL { Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/cpuinfo-extra") }

    /// Every x86 dump file (name → URL), both directories.
    static func x86() throws -> [(name: String, url: URL)] {
        try [shared, extra].flatMap { directory in
            try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasPrefix("x86") && $0.hasSuffix(".txt") }
                .map { ($0, directory.appendingPathComponent($0)) }
        }.sorted { $0.name < $1.name }
    }

    static func text(_ url: URL) throws -> String { String(decoding: try Data(contentsOf: url), as: UTF8.self) }

    static func describe(_ url: URL) throws -> CPUDescription {
        try CPUDescription(parsing: text(url), source: url.lastPathComponent)
    }
}
