import FarmModel
import Foundation
import Testing
import TestSupport
@testable import Portage

@Suite struct MergeListTests {
    @Test func verboseLinesGiveSlotRepoAndFlags() throws {
        // Given a real `emerge -pv` output (emlop's test data)
        let text = try String(contentsOf: Fixtures.testdata("emerge-pretend/emlop-tests/emerge-pv.basic.out"), encoding: .utf8)
        // When it is parsed
        let entries = try MergeList.parse(text)
        // Then every package line is read, with slot, subslot, repo and USE
        #expect(entries.count == 5)
        let readline = try #require(entries.first { $0.cpv.package == "readline" })
        #expect(readline.cpv.version == "7.0_p3")
        #expect(readline.slot == "0" && readline.subslot == "7" && readline.repository == "gentoo")
        #expect(readline.flagVariables["USE"] == ["static-libs": false, "utils": false])
        #expect(readline.flagVariables["ABI_X86"]?["64"] == true)
        let gcc = try #require(entries.first)
        #expect(gcc.enabledUSE.contains("multilib") && !gcc.enabledUSE.contains("fortran"))
        #expect(entries.first { $0.cpv.package == "emlop" }?.flags == "R   ~")
    }

    @Test func binaryLinesCarryTheBuildIDAndTheReplacedVersion() throws {
        let text = try String(contentsOf: Fixtures.testdata("emerge-pretend/emlop-tests/emerge-p.bin.out"), encoding: .utf8)
        let entries = try MergeList.parse(text)
        let binary = try #require(entries.first { $0.kind == .binary })
        #expect(binary.cpv.description == "dev-libs/glib-2.80.5-r1")
        #expect(binary.binpkgBuildID == 4)
        #expect(binary.replacing == "2.78.6")
        // An [ebuild] line with the same text has no build id: the trailing -4 is then part of nothing
        #expect(entries.filter { $0.kind == .ebuild }.count == 1)
    }

    @Test func blockersAreNotPackagesAndUninstallsAreKept() throws {
        let text = try String(contentsOf: Fixtures.testdata("emerge-pretend/emlop-tests/emerge-p.blocker.out"), encoding: .utf8)
        let entries = try MergeList.parse(text)
        #expect(entries.map(\.kind) == [.ebuild, .uninstall, .ebuild])
        #expect(entries[0].flags == "U" && entries[2].flags == "r  U")
    }

    @Test(arguments: ["test06-emerge.log", "test19-emerge.log", "test01-emerge.log"])
    func portageNgOutputsParse(_ name: String) throws {
        let text = try String(contentsOf: Fixtures.testdata("emerge-pretend/portage-ng-tests/\(name)"), encoding: .utf8)
        let entries = try MergeList.parse(text)
        #expect(entries.allSatisfy { $0.kind == .ebuild })
        if name == "test06-emerge.log" { #expect(entries.map(\.depth) == [0, 1, 2, 3]) }
    }

    @Test func everyRealOutputParsesWithoutError() throws {
        let directory = Fixtures.testdata("emerge-pretend")
        var parsed = 0
        for case let url as URL in FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)! {
            guard !url.hasDirectoryPath, let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            parsed += try MergeList.parse(text).count
        }
        #expect(parsed > 400)
    }
}
