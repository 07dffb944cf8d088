import Foundation
import Testing
import TestSupport

/// `farmctl plan` on a copy of the example farm plus an amd64 class, with an x86-only worker (never contacted).
@Suite(.enabled(if: ExampleFarm.portageInstalled, "run `make bootstrap` first"))
struct PlanCommandTests {
    let farmctl = Fixtures.farmctl

    struct Preview: Decodable {
        struct Step: Decodable { var `class`: String; var cpv: String; var worker: String; var notElsewhere: [String: String] }
        var steps: [Step]
    }

    @Test func planPlacesEveryBuildAndNeverGivesAmd64WorkToAnX86OnlyWorker() throws {
        // Given the example farm, an amd64 class K8, and an x86-only SSH worker with more slots than the coordinator
        let farm = try ExampleFarm()
        defer { farm.remove() }
        try FileManager.default.copyItem(at: farm.url("profiles/PIII"), to: farm.url("profiles/K8"))
        try farm.write("profiles/K8/class.toml", "description = \"amd64 nodes\"\narch = \"amd64\"\nportage_profile = \"farm:default/linux/amd64\"\n")
        try farm.write("profiles/K8/make.conf", "CHOST=\"x86_64-pc-linux-gnu\"\nCFLAGS=\"-O2 -march=k8 -pipe\"\nCXXFLAGS=\"${CFLAGS}\"\nUSE=\"-threads nls zlib\"\n")
        try farm.append(to: "workers.conf", """

            [worker.old]
            host = "127.0.0.9"
            identity = "keys/id_ed25519"
            known_hosts = "keys/known_hosts"
            jobs = 4
            speed = 3.0
            arches = ["x86"]
            workdir = "/var/tmp/farm"

            """)

        // When the three classes are planned
        let (status, output) = try ExampleFarm.run(farmctl, ["plan", "--json", "--config", farm.config.path])
        #expect(status == 0, "\(output)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let preview = try decoder.decode(Preview.self, from: Data(output.utf8))

        // Then every class's packages are placed, x86 ones also on the fast x86-only host,
        // and no amd64 (K8) build on it, which says why
        #expect(Set(preview.steps.map(\.class)).isSuperset(of: ["PIII", "AthlonXP", "K8"]))
        #expect(preview.steps.contains { $0.worker == "old" })
        let k8 = preview.steps.filter { $0.class == "K8" }
        #expect(!k8.isEmpty && k8.allSatisfy { $0.worker == "local" && $0.notElsewhere["old"] == "does not build amd64" })
        // and nothing was built
        #expect(!FileManager.default.fileExists(atPath: farm.url("var/farm.sqlite").path))
    }
}
