import Boot
import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct BootPublisherTests {
    static let n1 = NodeBoot(name: "n1", mac: MACAddress("00:16:3e:00:00:01")!, nodeClass: ClassName("PIII")!)
    static let n2 = NodeBoot(name: "n2", mac: MACAddress("00:16:3e:00:00:02")!, nodeClass: ClassName("AthlonXP")!)

    func publish(_ farm: BootFarm, _ nodes: [NodeBoot]) throws -> FileSetReport {
        try BootPublisher.publish(settings: try farm.settings, profiles: try farm.profiles, nodes: nodes)
    }

    @Test func publishesKernelsPXEFilesAndExports() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given PIII published with a kernel, AthlonXP not yet, and a node of each
        try farm.publish("PIII", generation: 1, files: ["boot/vmlinuz-6.6.30-gentoo": "kernel 6.6.30"])
        // When the boot files are published
        let report = try publish(farm, [Self.n1, Self.n2])
        // Then the kernel is served under <tftp>/PIII/, default labels PIII only, each node has its file
        #expect(try farm.read("var/tftp/PIII/vmlinuz-6.6.30-gentoo") == "kernel 6.6.30")
        let roots = farm.url("var/roots").path
        let defaultFile = try farm.read("var/tftp/pxelinux.cfg/default")
        #expect(defaultFile.contains("LABEL PIII\n  KERNEL PIII/vmlinuz-6.6.30-gentoo\n  APPEND root=/dev/nfs "
                                     + "nfsroot=10.0.0.1:\(roots)/PIII/current,vers=4,tcp ip=dhcp ro"))
        #expect(defaultFile.contains("# AthlonXP: no published kernel yet, so no label"))
        #expect(try farm.read("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-01").contains("DEFAULT PIII\n"))
        #expect(try farm.read("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-02").contains("SAY farmctl: class AthlonXP has no published kernel"))
        // And the exports file (under the state directory by default) exports both class directories read-only, then /home
        let exports = try farm.read("var/exports")
        #expect(exports.contains("\(roots)/AthlonXP 10.0.0.0/24(ro,sync,no_root_squash,no_subtree_check)\n"
                                 + "\(roots)/PIII 10.0.0.0/24(ro,sync,no_root_squash,no_subtree_check)\n"))
        #expect(exports.hasSuffix("/home 10.0.0.0/24(rw,sync,no_subtree_check)\n"))
        #expect(report.written.count == 5 && report.changed(farm.url("var/exports")))
        // When published again with nothing changed, then nothing is written
        let again = try publish(farm, [Self.n1, Self.n2])
        #expect(again.written.isEmpty && again.removed.isEmpty && again.unchanged.count == 5)
    }

    @Test func aNewGenerationAndARemovedNodeReplaceTheirFiles() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given a first publication with two nodes and a hand-written per-MAC file for another machine
        try farm.publish("PIII", generation: 1, files: ["boot/vmlinuz-6.6.30-gentoo": "kernel 6.6.30"])
        _ = try publish(farm, [Self.n1, Self.n2])
        try farm.write("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-99", "DEFAULT memtest\n")
        // When generation 2 with a newer kernel becomes current, n2 is no longer registered, and the files are published
        try farm.publish("PIII", generation: 2, files: ["boot/vmlinuz-6.10.2-gentoo": "kernel 6.10.2"])
        let report = try publish(farm, [Self.n1])
        // Then the new kernel replaces the old one, the labels name it, n2's file is gone and the hand-written file stays
        #expect(try FileManager.default.contentsOfDirectory(atPath: farm.url("var/tftp/PIII").path) == ["vmlinuz-6.10.2-gentoo"])
        #expect(try farm.read("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-01").contains("KERNEL PIII/vmlinuz-6.10.2-gentoo\n"))
        #expect(!farm.exists("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-02"))
        #expect(farm.exists("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-99"))
        #expect(report.removed.map(\.lastPathComponent) == ["vmlinuz-6.6.30-gentoo", "01-00-16-3e-00-00-02"])  // sorted by path
        // And the exports, which name class directories, not generations, are unchanged
        #expect(!report.changed(farm.url("var/exports")))
    }

    @Test func classBootSettingsReachTheLabel() throws {
        let farm = try BootFarm(classes: ["PIII": "[boot]\nsoftlevel = \"unionfs\"\nkernel_cmdline = \"console=ttyS0,115200\"\n"])
        defer { farm.remove() }
        // Given a class with its own softlevel and console
        try farm.publish("PIII", generation: 1, files: ["boot/vmlinuz-6.6.30-gentoo": "k"])
        // When published, then the node's APPEND ends with them
        _ = try publish(farm, [Self.n1])
        #expect(try farm.read("var/tftp/pxelinux.cfg/01-00-16-3e-00-00-01")
            .contains("init=/boot/stateless.sh softlevel=unionfs console=ttyS0,115200\n"))
    }

    @Test func aClassNamedLikeTheLocalLabelIsRefused() throws {
        let farm = try BootFarm(classes: ["local": ""])
        defer { farm.remove() }
        // Given a class named `local`, then publishing says to rename it
        #expect { try publish(farm, []) } throws: { error in
            (error as? BootError)?.fix.contains("rename profiles/local/") == true
        }
    }

    @Test func withoutAPXETableNothingIsWritten() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given workers.conf without [pxe]
        try farm.write("workers.conf", BootFarm.workersConf.components(separatedBy: "[pxe]")[0])
        // Then publishing explains what to add, and no file appears
        #expect { try publish(farm, [Self.n1]) } throws: { error in
            (error as? BootError)?.problem.contains("has no [pxe] table") == true
        }
        #expect(!farm.exists("var/tftp"))
    }
}
