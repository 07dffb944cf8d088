import Boot
import Foundation
import Testing
import TestSupport

@Suite struct AtomicFileSetTests {
    let directory: URL

    init() throws { directory = try Fixtures.temporaryDirectory("atomic-files") }

    func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }
    func read(_ relative: String) throws -> String { try String(contentsOf: url(relative), encoding: .utf8) }
    func entries(_ relative: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url(relative).path).sorted()
    }
    func modified(_ relative: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: url(relative).path)[.modificationDate] as? Date
    }

    @Test func writesEveryFileCreatingDirectoriesAndLeavesNoTemporaries() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given an empty directory
        // When two files are written, one in a directory that does not exist yet
        let report = try AtomicFileSet.write([PlannedFile(url: url("a/x"), text: "x\n"), PlannedFile(url: url("b/c/y"), text: "y\n")])
        // Then both are there with their contents, readable by tftpd, and nothing else is
        #expect(try read("a/x") == "x\n" && read("b/c/y") == "y\n")
        #expect(report.written.map(\.lastPathComponent) == ["x", "y"] && report.unchanged.isEmpty && report.removed.isEmpty)
        #expect(try entries("a") == ["x"] && entries("b/c") == ["y"])
        let mode = try FileManager.default.attributesOfItem(atPath: url("a/x").path)[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test func anUnchangedFileKeepsItsModificationTime() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given two files written once, both dated 2001
        _ = try AtomicFileSet.write([PlannedFile(url: url("same"), text: "same\n"), PlannedFile(url: url("other"), text: "old\n")])
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        for name in ["same", "other"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url(name).path)
        }
        // When the set is written again with one file changed
        let report = try AtomicFileSet.write([PlannedFile(url: url("same"), text: "same\n"), PlannedFile(url: url("other"), text: "new\n")])
        // Then the unchanged file is not touched and the other is replaced
        #expect(try modified("same") == old)
        #expect(try modified("other") != old && read("other") == "new\n")
        #expect(report.unchanged == [url("same").standardizedFileURL] && report.written == [url("other").standardizedFileURL])
        #expect(report.changed(url("other")) && !report.changed(url("same")))
    }

    @Test func staleFilesTheRuleClaimsAreRemovedOthersStay() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a directory with an old generated file, a hand-written one and a temporary a killed run left
        try FileManager.default.createDirectory(at: url("d"), withIntermediateDirectories: true)
        for (name, text) in [("keep-me", "mine\n"), ("gen-old", "generated\n"), (".gen-new.farmctl-0badf00d", "partial")] {
            try text.write(to: url("d/\(name)"), atomically: false, encoding: .utf8)
        }
        let rule = StaleFileRule(directory: url("d")) { url in
            (try? String(contentsOf: url, encoding: .utf8)) == "generated\n"
        }
        // When a set with only gen-new is written
        let report = try AtomicFileSet.write([PlannedFile(url: url("d/gen-new"), text: "generated\n")], removing: [rule])
        // Then the old generated file and the leftover temporary are gone; the hand-written file stays
        #expect(try entries("d") == ["gen-new", "keep-me"])
        #expect(report.removed == [url("d/gen-old").standardizedFileURL])
    }

    @Test func aFailureWhileWritingLeavesTheOldSetIntact() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given an old set (a/x, a/stale) and a plan whose last file cannot be created ("b" is a file, not a directory)
        _ = try AtomicFileSet.write([PlannedFile(url: url("a/x"), text: "old x\n"), PlannedFile(url: url("a/stale"), text: "s\n"),
                                     PlannedFile(url: url("b"), text: "not a directory\n")])
        let plan = [PlannedFile(url: url("a/x"), text: "new x\n"), PlannedFile(url: url("b/y"), text: "y\n")]
        let rule = StaleFileRule(directory: url("a")) { _ in true }
        // When it is written
        #expect(throws: BootError.self) { try AtomicFileSet.write(plan, removing: [rule]) }
        // Then every old file is as it was, nothing stale was removed and no temporary is left
        #expect(try read("a/x") == "old x\n" && read("b") == "not a directory\n")
        #expect(try entries("a") == ["stale", "x"])
    }

    @Test func theErrorNamesThePath() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        // Given a plan under a regular file
        try "file\n".write(to: url("b"), atomically: false, encoding: .utf8)
        // When written, then the error names the directory that could not be made
        do {
            _ = try AtomicFileSet.write([PlannedFile(url: url("b/y"), text: "y\n")])
            Issue.record("expected an error")
        } catch {
            #expect(error.problem.contains(url("b").standardizedFileURL.path))
        }
    }
}
