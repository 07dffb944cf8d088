import Foundation
import Testing
import TestSupport

/// `farmctl classify` and `farmctl nodes` on a copy of the example farm (PIII: -march=pentium3, AthlonXP: -march=athlon-xp).
@Suite("farmctl classify and nodes")
struct ClassifyCommandTests {
    let farmctl = Fixtures.farmctl
    func dump(_ name: String) -> String {
        let extra = Fixtures.repositoryRoot.appendingPathComponent("Tests/Fixtures/cpuinfo-extra/\(name)")
        return FileManager.default.fileExists(atPath: extra.path) ? extra.path : Fixtures.testdata("cpuinfo/\(name)").path
    }

    @Test("Given real dumps not in shared/, when classified, then each gets the class whose code it runs, or none, exit 0 or 1")
    func realDumps() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let cases: [(String, String?)] = [
            ("x86-32_intel-pentium3-katmai-500_lkml-2002-iphase.txt", "PIII"),
            ("x86-32_intel-celeron-tualatin-1300_lkml-2003-kawa.txt", "PIII"),
            ("x86-32_amd-athlon-mp-1800-palomino-2cpu-wrapped_lkml-2003-poetzl.txt", "AthlonXP"),
            ("x86-32_amd-duron-morgan-1200_lkml-2002-dietsche.txt", "AthlonXP"),
            ("x86-32_amd-duron-spitfire-900-wrapped_lkml-2001-kmail.txt", nil),      // no SSE: neither class
            ("x86-32_amd-k6-2-400_lkml-2001-lenart.txt", nil),
            ("x86-32_intel-pentium2-deschutes-400-2cpu_lkml-2002-johnson.txt", nil),
            ("x86-32_intel-pentium4-willamette-1600_lkml-2003-gopi-kernel-2.4.18.txt", "PIII"),
            ("x86-32_via-c3-nehemiah-667-wrapped_lkml-2006-gentoo-epia.txt", "PIII"),
            ("x86-32_via-c3-ezra-933_lkml-2006-attachment.txt", nil),
        ]
        for (file, expected) in cases {
            let (status, output) = try ExampleFarm.run(farmctl, ["classify", "--config", farm.config.path, dump(file)])
            #expect(status == (expected == nil ? 1 : 0), "\(file): \(output)")
            #expect(output.contains("class:          \(expected ?? "none")"), "\(file): \(output)")
        }
    }

    @Test("Given a Pentium II, when classified with --json, then class is null and PIII lacks sse, needed by pentium3")
    func jsonForNoFit() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let (status, output) = try ExampleFarm.run(farmctl, ["classify", "--json", "--config", farm.config.path,
                                                             dump("x86-32_intel-pentium2-deschutes-400-2cpu_lkml-2002-johnson.txt")])
        #expect(status == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["class"] is NSNull)
        #expect(json["march"] as? String == "pentium2" && json["vendor"] as? String == "Intel")
        #expect(json["family"] as? Int == 6 && json["model"] as? Int == 5)
        #expect(json["cpu_flags_x86"] as? [String] == ["mmx"])
        let classes = try #require(json["classes"] as? [[String: Any]])
        let piii = try #require(classes.first { $0["name"] as? String == "PIII" })
        #expect((piii["missing"] as? [String])?.contains("sse") == true)
        #expect((piii["missing_reasons"] as? [String: String])?["sse"] == "needed by pentium3")
    }

    @Test("Given an Athlon XP on stdin, when classified, then AthlonXP wins over PIII as the more specific class")
    func stdinAndSpecificity() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let text = try String(contentsOfFile: dump("x86-32_amd-athlon-xp-2800-barton_lkml-2005.txt"), encoding: .utf8)
        let (status, output) = try ExampleFarm.run("/bin/sh", ["-c", "printf '%s' \"$1\" | \(farmctl) classify --config \(farm.config.path) -", "sh", text])
        #expect(status == 0, "\(output)")
        #expect(output.contains("-march=native:  athlon-4 (same instructions as athlon-xp, athlon-mp)"))
        #expect(output.contains("class:          AthlonXP"))
    }

    @Test("Given an ARM dump, when classified, then exit 2 with one error naming the file and x86")
    func armRefused() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let file = dump("arm_armv6-bcm2708-raspberry-pi-model-b_py-cpuinfo-test_linux_raspberry_pi_model_b_arm.txt")
        let (status, output) = try ExampleFarm.run(farmctl, ["classify", "--config", farm.config.path, file])
        #expect(status == 2)
        #expect(output.contains("error: ") && output.contains("ARM") && output.contains("x86"), "\(output)")
    }

    @Test("Given nodes added from their cpuinfo, when one is re-added with another CPU, then it is reclassified; a CPU no class runs is refused and not recorded")
    func nodes() throws {
        let farm = try ExampleFarm()
        defer { farm.remove() }
        let config = ["--config", farm.config.path]
        let p3 = dump("x86-32_intel-pentium3-katmai-500_lkml-2002-iphase.txt")
        let xp = dump("x86-32_amd-athlon-xp-1600-palomino_lkml-2004-kernel-2.6.9.txt")
        var (status, output) = try ExampleFarm.run(farmctl, ["nodes", "add", "node01", "--mac", "00-16-3E-00-00-01", "--cpuinfo", p3] + config)
        #expect(status == 0 && output.contains("added node01: class PIII"), "\(output)")
        (status, output) = try ExampleFarm.run(farmctl, ["nodes", "add", "node01", "--mac", "00:16:3e:00:00:01", "--cpuinfo", p3] + config)
        #expect(status == 0 && output.contains("node01 unchanged"), "\(output)")
        (status, output) = try ExampleFarm.run(farmctl, ["nodes", "add", "node01", "--mac", "00:16:3e:00:00:01", "--cpuinfo", xp] + config)
        #expect(status == 0 && output.contains("reclassified node01: PIII → AthlonXP"), "\(output)")
        // and its pxelinux file follows its class (the example farm has a [pxe] table)
        let nodeFile = try farm.read("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-01")
        #expect(nodeFile.contains("AthlonXP") && !nodeFile.contains("PIII"), "\(nodeFile)")
        (status, output) = try ExampleFarm.run(farmctl, ["nodes", "add", "node02", "--mac", "00:16:3e:00:00:01", "--cpuinfo", p3] + config)
        #expect(status == 2 && output.contains("already belongs to node node01"), "\(output)")
        (status, output) = try ExampleFarm.run(farmctl, ["nodes", "add", "node03", "--mac", "00:16:3e:00:00:03", "--cpuinfo",
                                                         dump("x86-32_amd-k6-2-400_lkml-2001-lenart.txt")] + config)
        #expect(status == 1 && output.contains("PIII: lacks"), "\(output)")
        (status, output) = try ExampleFarm.run(farmctl, ["nodes", "list", "--json"] + config)
        let nodes = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(nodes.map { $0["name"] as? String } == ["node01"])
        #expect(nodes.first?["class"] as? String == "AthlonXP" && nodes.first?["mac"] as? String == "00:16:3e:00:00:01")
        #expect((nodes.first?["cpuinfo_sha256"] as? String)?.count == 64)
    }
}
