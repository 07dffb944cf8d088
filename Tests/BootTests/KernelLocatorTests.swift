import Boot
import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct KernelLocatorTests {
    let piii = ClassName("PIII")!

    func find(_ farm: BootFarm, _ options: ClassBootOptions = ClassBootOptions()) throws -> PublishedKernel? {
        try KernelLocator.find(classRoot: farm.url("var/roots/PIII"), options: options, className: piii)
    }

    @Test func aClassWithoutCurrentHasNoKernel() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given no published generation, then there is no kernel
        #expect(try find(farm) == nil)
        // And given a generation without boot/vmlinuz*, neither
        try farm.publish("PIII", generation: 1, files: ["etc/hostname": "x\n"])
        #expect(try find(farm) == nil)
    }

    @Test func theHighestReleaseWinsNumerically() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given kernels 6.6.30 and 6.10.2 (6.10 sorts before 6.6 as text) and no vmlinuz link
        try farm.publish("PIII", generation: 3, files: ["boot/vmlinuz-6.6.30-gentoo": "a", "boot/vmlinuz-6.10.2-gentoo": "b",
                                                       "boot/config-6.10.2-gentoo": "c"])
        // When the kernel is looked up, then 6.10.2 is chosen, inside the resolved generation
        let kernel = try #require(try find(farm))
        #expect(kernel.kernel.lastPathComponent == "vmlinuz-6.10.2-gentoo")
        #expect(kernel.generation.lastPathComponent == "3" && kernel.initrd == nil)
    }

    @Test func theVmlinuzLinkWinsAndAnAbsoluteTargetMeansTheRootsOwnBoot() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given two kernels and boot/vmlinuz -> /boot/vmlinuz-6.6.30-gentoo (absolute, as inside the root)
        try farm.publish("PIII", generation: 1, files: ["boot/vmlinuz-6.6.30-gentoo": "a", "boot/vmlinuz-6.10.2-gentoo": "b"])
        try farm.link("var/roots/PIII/1/boot/vmlinuz", to: "/boot/vmlinuz-6.6.30-gentoo")
        // Then the link's target inside the root is the kernel
        #expect(try find(farm)?.kernel == farm.url("var/roots/PIII/1/boot/vmlinuz-6.6.30-gentoo"))
    }

    @Test func aLinkLeavingTheRootIsIgnored() throws {
        let farm = try BootFarm()
        defer { farm.remove() }
        // Given only a kernel link that climbs out of the root
        try farm.publish("PIII", generation: 1, files: ["etc/hostname": "x\n"])
        try farm.write("outside/vmlinuz-9.9", "server's kernel")
        try farm.link("var/roots/PIII/1/boot/vmlinuz-9.9", to: "../../../../../outside/vmlinuz-9.9")
        // Then no kernel is found
        #expect(try find(farm) == nil)
    }

    @Test func aConfiguredKernelAndInitrdMustExist() throws {
        let farm = try BootFarm(classes: ["PIII": "[boot]\nkernel = \"boot/bzImage\"\ninitrd = \"/boot/initrd.img\"\n"])
        defer { farm.remove() }
        let options = try #require(try farm.profiles.first).boot
        try farm.publish("PIII", generation: 1, files: ["boot/bzImage": "k", "boot/vmlinuz-6.6": "other"])
        // Given the configured initrd is missing, then the error names class.toml's line and the root
        do {
            _ = try find(farm, options)
            Issue.record("expected an error")
        } catch {
            #expect(error.problemText.contains("profiles/PIII/class.toml:5: `initrd` in [boot] names boot/initrd.img"))
            #expect(error.problemText.contains("class PIII"))
        }
        // When it is installed, then the configured kernel and initrd are used
        try farm.write("var/roots/PIII/1/boot/initrd.img", "i")
        let kernel = try #require(try find(farm, options))
        #expect(kernel.kernel.lastPathComponent == "bzImage" && kernel.initrd?.lastPathComponent == "initrd.img")
    }
}
