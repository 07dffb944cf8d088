import FarmModel
import Foundation
import Testing
@testable import Farm

@Suite struct BuildSummaryTests {
    @Test func aFailedClassMakesTheRunFail() {
        let ok = BuildSummary.ClassResult(nodeClass: ClassName("PIII")!, outcome: .unchanged(generation: 1), built: 0, failed: 0)
        let bad = BuildSummary.ClassResult(nodeClass: ClassName("AthlonXP")!, outcome: .failed(reason: "x"), built: 1, failed: 1)
        #expect(BuildSummary(classes: [ok], seconds: 1).succeeded)
        #expect(!BuildSummary(classes: [ok, bad], seconds: 1).succeeded)
    }

    @Test func aStoredSummaryReadsBackAsTheSameSummary() throws {
        // Given a run's summary with every outcome, a worker, inputs and a gc report, stored as the run writes it
        var summary = BuildSummary(classes: [
            .init(nodeClass: ClassName("PIII")!, outcome: .published(generation: 3), built: 2, failed: 0, reused: 5, damaged: ["a/b-1"]),
            .init(nodeClass: ClassName("AthlonXP")!, outcome: .failed(reason: "emerge failed"), built: 0, failed: 1),
        ], seconds: 12.5)
        summary.run = 7
        summary.command = "nightly"
        summary.workers = [.init(name: "local", builds: 3, failed: 1, busySeconds: 40)]
        summary.inputs = [RepositoryState(repository: "gentoo", path: "/var/db/repos/gentoo", state: "git:abc")]
        summary.gc = GCReport(generations: ["PIII/1"], binpkgs: [], bytes: 10, stages: [])
        var record = RunRecord(command: "nightly", classes: "PIII AthlonXP", started: Date(timeIntervalSince1970: 0), status: .failed,
                               pid: 1, host: "h")
        record.id = 7
        record.summary = try Farm.json(summary)
        record.inputs = try Farm.json(summary.inputs)

        // When a reader decodes the run
        let report = try RunReport(record)

        // Then it sees the same classes, outcomes, workers and inputs
        let classes = try #require(report.summary?.classes)
        #expect(classes.map(\.outcome) == [.published(generation: 3), .failed(reason: "emerge failed")])
        #expect(classes.first?.reused == 5 && classes.first?.damaged == ["a/b-1"])
        #expect(report.summary?.workers == summary.workers)
        #expect(report.summary?.gc == summary.gc)
        #expect(report.inputs == summary.inputs)
        #expect(report.classes == ["PIII", "AthlonXP"])
    }

    @Test func anUnreadableStoredSummaryNamesTheRun() {
        // Given a run whose summary column is not a summary
        var record = RunRecord(command: "build", classes: "PIII", started: Date(), status: .succeeded, pid: 1, host: "h")
        record.id = 9
        record.summary = "{\"classes\": 3}"

        // Then reading it fails with an error that names the run and the column
        #expect { try RunReport(record) } throws: { error in
            "\(error)".contains("run 9") && "\(error)".contains("summary")
        }
    }
}
