import FarmModel
import Foundation
import Store
import Testing
import TestSupport
@testable import Farm

extension EndToEndTests {
    /// An ebuild whose build runs the code it compiled, as configure checks do: 3DNow!'s `femms`.
    static let threeDNowCheck = """
    EAPI=8
    DESCRIPTION="Runs a 3DNow! instruction while building, as a configure check would"
    HOMEPAGE="https://farm.invalid/"
    S="${WORKDIR}"
    LICENSE="MIT"
    SLOT="0"
    KEYWORDS="x86 amd64"
    src_compile() {
    \tprintf 'int main(void) { __asm__ volatile ("femms"); return 0; }\\n' > check.c || die
    \t${CC:-gcc} ${CFLAGS} -o check check.c || die
    \t./check || die "the 3DNow! check failed"
    }
    src_install() { dodir /usr/share/threednow; }

    """

    @Test("Given a worker whose CPU lacks 3DNow!, when AthlonXP builds a package that runs 3DNow! code, then one warning names the worker and the build is reported as SIGILL")
    func sigillOnAWorkerWithout3DNow() async throws {
        let host = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        try #require(!host.split(whereSeparator: \.isNewline).contains { $0.hasPrefix("flags") && $0.split(separator: " ").contains("3dnow") },
                     "this test needs a build host without 3DNow! (any x86 CPU since 2011)")
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try FileManager.default.createDirectory(at: farm.url("repo/app-misc/threednow-check"), withIntermediateDirectories: true)
        try farm.write("repo/app-misc/threednow-check/threednow-check-1.ebuild", Self.threeDNowCheck)
        try farm.append(to: "profiles/AthlonXP/packages", "app-misc/threednow-check\n")

        let warnings = WarningLog()
        let summary = try await Farm.load(configPath: farm.config.path).build(classes: ["AthlonXP"], verbose: false) { event in
            if case .warning(let text) = event { warnings.append(text) }
        }

        let placement = warnings.all.filter { $0.contains("no worker's CPU runs AthlonXP code") }
        #expect(placement.count == 1)
        #expect(placement.first?.contains("local lacks 3dnow") == true, "\(placement)")
        guard case .failed(let reason) = outcome(summary, "AthlonXP") else { Issue.record("AthlonXP did not fail"); return }
        #expect(reason.contains("threednow-check"))
        let record = try #require(try Farm.load(configPath: farm.config.path).openStore().builds(class: ClassName("AthlonXP")!)
            .first { $0.cpv.hasPrefix("app-misc/threednow-check") })
        #expect(record.status == .failed)
        #expect(record.failure?.contains("died of SIGILL (illegal instruction) on worker local, which lacks 3dnow") == true, "\(record.failure ?? "")")
        // The published root (none yet here) is never touched by a failed class.
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/roots/AthlonXP/current").path))
    }
}

/// Collects warnings from the event callback.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ text: String) { lock.withLock { items.append(text) } }
    var all: [String] { lock.withLock { items } }
}
