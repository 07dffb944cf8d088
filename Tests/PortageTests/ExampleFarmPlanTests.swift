import FarmModel
import Foundation
import Testing
import TestSupport
@testable import Portage

/// emerge --pretend outputs recorded from the example farm with the real Portage 3.0.83.
@Suite struct ExampleFarmPlanTests {
    func fixture(_ name: String) throws -> String {
        try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Tests/PortageTests/Fixtures/\(name)"), encoding: .utf8)
    }

    @Test func aFreshPlanSeparatesTargetPackagesFromHostSideTools() throws {
        // Given the fresh plan of PIII, When parsed
        let entries = try MergeList.parse(try fixture("pretend-PIII-fresh.txt"))
        // Then ten packages are new; the build-only tool goes to the host side (no `to ROOT`)
        #expect(entries.count == 10 && entries.allSatisfy(\.isNew))
        let host = entries.filter { $0.root == nil }.map(\.cpv.description)
        #expect(host == ["dev-util/mktable-1.0"])
        let cpubench = try #require(entries.first { $0.cpv.package == "cpubench" })
        #expect(cpubench.root == "/tmp/farmstate/staging/PIII/")
        #expect(cpubench.flagVariables["CPU_FLAGS_X86"] == ["sse": true, "3dnow": false])
        #expect(cpubench.flagVariables["USE"] == ["threads": false])
        #expect(cpubench.repository == "farm")
    }

    @Test func aUseChangeRebuildsOnlyThatPackage() throws {
        let entries = try MergeList.parse(try fixture("pretend-PIII-usechange.txt"))
        #expect(entries.map(\.cpv.description) == ["app-misc/cpubench-1.0"])
        #expect(entries[0].flags == "R" && entries[0].enabledUSE == ["threads"])
    }

    @Test func aSubslotBumpRebuildsItsConsumers() throws {
        let entries = try MergeList.parse(try fixture("pretend-PIII-subslot-bump.txt"))
        let library = try #require(entries.first { $0.cpv.package == "libfarmhash" })
        #expect(library.subslot == nil || library.subslot == "2")
        #expect(library.replacing == "1.0")
        #expect(entries.contains { $0.cpv.package == "fhsum" && $0.flags == "rR" })
    }

    @Test func theNoOpPlanIsEmptyAndAssemblyNamesBinpkgInstances() throws {
        #expect(try MergeList.parse(try fixture("pretend-PIII-noop.txt")).isEmpty)
        let binaries = try MergeList.parse(try fixture("pretend-PIII-assemble-binary.txt"))
        #expect(!binaries.isEmpty && binaries.allSatisfy { $0.kind == .binary && $0.binpkgBuildID != nil })
    }
}
