import FarmConfig
import FarmModel
import Foundation
import Testing
import TestSupport

/// Writes `files` (relative path → contents) into a fresh temporary directory, runs `body`, then removes it.
func withFiles<T>(_ files: [String: String], _ body: (URL) throws -> T) throws -> T {
    let directory = try Fixtures.temporaryDirectory("farmconfig-test")
    defer { try? FileManager.default.removeItem(at: directory) }
    for (path, contents) in files {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
    }
    return try body(directory)
}

/// Expects `body` to throw a ConfigError of `kind` located at `file:line` whose text holds each fragment.
func expectConfigError(_ kind: ConfigError.Kind, file: String, line: Int?, _ fragments: String...,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected a ConfigError (\(kind)) but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ConfigError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        let place = line.map { "\(file):\($0): " } ?? "\(file): "
        #expect(error.problem.contains("/" + place) || error.problem.hasPrefix(place), "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.description.contains(fragment), "missing `\(fragment)` in: \(error)", sourceLocation: sourceLocation)
        }
    } catch {
        Issue.record("expected a ConfigError, got \(error)", sourceLocation: sourceLocation)
    }
}
