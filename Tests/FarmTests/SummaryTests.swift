import FarmModel
import Testing
@testable import Farm

@Suite struct BuildSummaryTests {
    @Test func aFailedClassMakesTheRunFail() {
        let ok = BuildSummary.ClassResult(nodeClass: ClassName("PIII")!, outcome: .unchanged(generation: 1), built: 0, failed: 0)
        let bad = BuildSummary.ClassResult(nodeClass: ClassName("AthlonXP")!, outcome: .failed(reason: "x"), built: 1, failed: 1)
        #expect(BuildSummary(classes: [ok], seconds: 1).succeeded)
        #expect(!BuildSummary(classes: [ok, bad], seconds: 1).succeeded)
    }
}
