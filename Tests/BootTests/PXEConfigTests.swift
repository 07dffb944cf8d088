import Boot
import FarmModel
import Testing

@Suite struct PXEConfigTests {
    static let config = PXEConfig(server: "10.0.0.1", nfsOptions: "vers=3,tcp,nolock", timeout: 10)
    static let piii = ClassBoot(name: ClassName("PIII")!, kernel: "PIII/vmlinuz-6.6.30-gentoo",
                                nfsroot: "/srv/farm/roots/PIII/current")
    static let athlon = ClassBoot(name: ClassName("AthlonXP")!, kernel: nil, nfsroot: "/srv/farm/roots/AthlonXP/current")
    static let append = "  APPEND root=/dev/nfs nfsroot=10.0.0.1:/srv/farm/roots/PIII/current,vers=3,tcp,nolock ip=dhcp ro "
        + "init=/boot/stateless.sh softlevel=diskless"

    @Test func defaultHasOneLabelPerClassWithAKernelAndBootsTheLocalDisk() {
        // Given a class with a published kernel and one without
        // When the default file is rendered
        let text = Self.config.default(classes: [Self.piii, Self.athlon])
        // Then it prompts, times out to the local disk, labels PIII and only mentions AthlonXP, classes sorted by name
        #expect(text == """
            \(PXEConfig.header)
            # Machines without a pxelinux.cfg/01-<mac> file (not registered with `farmctl nodes add`) get this prompt.
            DEFAULT local
            PROMPT 1
            TIMEOUT 100

            LABEL local
              LOCALBOOT 0

            # AthlonXP: no published kernel yet, so no label

            LABEL PIII
              KERNEL PIII/vmlinuz-6.6.30-gentoo
            \(Self.append)

            """)
    }

    @Test func aNodeFileBootsItsClassWithoutAPrompt() {
        // Given a node of class PIII
        let mac = MACAddress("00:16:3E:12:34:56")!
        // When its file is rendered
        let text = Self.config.node(mac: mac, class: Self.piii, name: "node07")
        // Then it defaults to its class, offers only that class and the local disk, and names the node
        #expect(text == """
            \(PXEConfig.header)
            # Node node07 (00:16:3e:12:34:56), class PIII.
            DEFAULT PIII
            PROMPT 0
            TIMEOUT 100

            LABEL PIII
              KERNEL PIII/vmlinuz-6.6.30-gentoo
            \(Self.append)

            LABEL local
              LOCALBOOT 0

            """)
    }

    @Test func aNodeOfAClassWithoutAKernelSaysSoAndBootsTheLocalDisk() {
        // Given a node whose class has no published kernel
        let text = Self.config.node(mac: MACAddress("00163e123456")!, class: Self.athlon)
        // Then the file tells the console why and boots the local disk
        #expect(text == """
            \(PXEConfig.header)
            # Node 00:16:3e:12:34:56, class AthlonXP: the class has no published kernel yet, so the node boots its local disk.
            SAY farmctl: class AthlonXP has no published kernel yet (run farmctl build AthlonXP); booting the local disk
            DEFAULT local
            PROMPT 0

            LABEL local
              LOCALBOOT 0

            """)
    }

    @Test func initrdSoftlevelInitAndExtraArgumentsReachTheLabel() {
        // Given a class with an initrd, its own softlevel and init, and extra kernel arguments
        var boot = Self.piii
        boot.initrd = "PIII/initramfs-6.6.30-gentoo.img"
        boot.softlevel = "unionfs"
        boot.initProgram = "/sbin/stateless"
        boot.extraCommandLine = "console=ttyS0,115200 quiet"
        // When the default file is rendered
        let text = PXEConfig(server: "192.168.7.2", nfsOptions: "", timeout: 3).default(classes: [boot])
        // Then INITRD follows KERNEL, the options-free nfsroot has no trailing comma, and the extras come last
        #expect(text.contains("""
            LABEL PIII
              KERNEL PIII/vmlinuz-6.6.30-gentoo
              INITRD PIII/initramfs-6.6.30-gentoo.img
              APPEND root=/dev/nfs nfsroot=192.168.7.2:/srv/farm/roots/PIII/current ip=dhcp ro init=/sbin/stateless \
            softlevel=unionfs console=ttyS0,115200 quiet
            """))
        #expect(text.contains("TIMEOUT 30\n"))
    }
}
