import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct ClassBootOptionsTests {
    /// class.toml with `[boot]` on line 3 and `lines` from line 4.
    static func files(_ lines: [String]) -> [String: String] {
        ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n[boot]\n" + lines.joined(separator: "\n") + "\n",
         "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": "sys-apps/openrc\n"]
    }

    func load(_ lines: [String]) throws -> ClassBootOptions {
        try withFiles(Self.files(lines)) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).boot }
    }

    @Test func withoutABootTableTheDefaultsApply() throws {
        // Given class.toml without [boot]
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": ""]
        let boot = try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).boot }
        // Then nodes boot softlevel diskless through /boot/stateless.sh, kernel found in the root, no initrd
        #expect(boot == ClassBootOptions())
        #expect(boot.softlevel == "diskless" && boot.initProgram == "/boot/stateless.sh" && boot.kernelCommandLine.isEmpty)
        #expect(boot.kernel == nil && boot.initrd == nil)
    }

    @Test func everyKeyIsRead() throws {
        // Given every [boot] key, the kernel written with a leading slash
        let boot = try load(["softlevel = \"unionfs\"", "kernel_cmdline = \"  console=ttyS0,115200   quiet \"",
                             "kernel = \"/boot/vmlinuz-2.6.16-gentoo-r7\"", "initrd = \"boot/initramfs.img\"", "init = \"/sbin/stateless\""])
        // Then the paths are relative to the root and keep their lines; the extra arguments are normalised
        #expect(boot.softlevel == "unionfs" && boot.initProgram == "/sbin/stateless")
        #expect(boot.kernelCommandLine == "console=ttyS0,115200 quiet")
        #expect(boot.kernel?.value == "boot/vmlinuz-2.6.16-gentoo-r7" && boot.kernel?.location.line == 6)
        #expect(boot.initrd?.value == "boot/initramfs.img")
    }

    @Test func servicesAndMountPointsAreRead() throws {
        // Given the runlevel's services and the init's mount points
        let boot = try load(["services = [\"local\", \"rpcbind\", \"sshd\"]", "mount_points = [\"/mnt/rw\"]"])
        // Then both lists are kept in order; without them no services and the recipe's two mount points apply
        #expect(boot.services == ["local", "rpcbind", "sshd"] && boot.mountPoints == ["/mnt/rw"])
        #expect(ClassBootOptions().services.isEmpty && ClassBootOptions().mountPoints == ["/mnt/unionfs/etc", "/mnt/unionfs/var"])
    }

    static let invalid: [(line: String, kind: ConfigError.Kind, fragments: [String])] = [
        ("softlevel = \"boot\"", .invalidValue, ["`softlevel` in [boot] in class.toml is `boot`", "softlevel = \"diskless\""]),
        ("softlevel = \"my level\"", .invalidValue, ["not a runlevel"]),
        ("kernel_cmdline = \"quiet nfsroot=10.0.0.9:/x\"", .invalidValue, ["sets `nfsroot=10.0.0.9:/x`", "from [pxe] in workers.conf"]),
        ("kernel_cmdline = \"rw\"", .invalidValue, ["sets `rw`", "stays read-only"]),
        ("kernel_cmdline = \"quiet softlevel=single\"", .invalidValue, ["set `softlevel` under [boot] instead"]),
        ("kernel_cmdline = \"quiet\\nsingle\"", .invalidValue, ["line break"]),
        ("kernel = \"../vmlinuz\"", .invalidValue, ["not a plain path inside the class root"]),
        ("initrd = \"boot/my initrd\"", .invalidValue, ["`initrd` in [boot]", "without `..` or spaces"]),
        ("init = \"boot/stateless.sh\"", .invalidValue, ["not an absolute path"]),
        ("services = [\"../sshd\"]", .invalidValue, ["lists `../sshd`, not an OpenRC service name"]),
        ("mount_points = [\"mnt/x\"]", .invalidValue, ["lists `mnt/x`, not an absolute directory inside the root"]),
        ("mount_points = [\"/mnt/../etc\"]", .invalidValue, ["without `..`"]),
        ("softlvl = \"diskless\"", .unknownKey, ["unknown key `softlvl` in [boot] in class.toml", "did you mean `softlevel`?"]),
    ]

    @Test(arguments: invalid.indices)
    func invalidBootSettingsNameFileLineAndKey(_ index: Int) {
        let example = Self.invalid[index]
        // Given a [boot] table with one mistake on line 4, then loading fails there with a fix
        expectConfigError(example.kind, file: "class.toml", line: 4, allOf: example.fragments) {
            _ = try load([example.line])
        }
    }
}
