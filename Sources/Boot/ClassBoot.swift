import FarmModel

/// How one node class boots: its PXE label, kernel, NFS root and OpenRC softlevel.
public struct ClassBoot: Sendable, Equatable {
    /// The class; its name is also the PXE label.
    public var name: ClassName
    /// The kernel relative to the TFTP root (`PIII/vmlinuz-6.6.30-gentoo`); nil while the class has none published.
    public var kernel: String?
    /// An initramfs relative to the TFTP root, when the class uses one.
    public var initrd: String?
    /// The directory nodes mount as `/` on the server: `<roots>/<CLASS>/current`.
    public var nfsroot: String
    /// The OpenRC runlevel (`softlevel=`).
    public var softlevel: String
    /// The first program the kernel runs (`init=`).
    public var initProgram: String
    /// Extra kernel arguments from `class.toml`, appended last.
    public var extraCommandLine: String

    /// A class's boot entry; `kernel` nil means no label until a kernel is published.
    public init(name: ClassName, kernel: String?, initrd: String? = nil, nfsroot: String, softlevel: String = "diskless",
                initProgram: String = "/boot/stateless.sh", extraCommandLine: String = "") {
        self.name = name
        self.kernel = kernel
        self.initrd = initrd
        self.nfsroot = nfsroot
        self.softlevel = softlevel
        self.initProgram = initProgram
        self.extraCommandLine = extraCommandLine
    }

    /// The kernel command line: the NFS root from `server` with `nfsOptions`, DHCP, read-only, the stateless init and
    /// the softlevel, then the class's extra arguments.
    public func commandLine(server: String, nfsOptions: String) -> String {
        let mount = nfsOptions.isEmpty ? nfsroot : "\(nfsroot),\(nfsOptions)"
        let words = ["root=/dev/nfs", "nfsroot=\(server):\(mount)", "ip=dhcp", "ro", "init=\(initProgram)", "softlevel=\(softlevel)"]
        return (words + (extraCommandLine.isEmpty ? [] : [extraCommandLine])).joined(separator: " ")
    }
}
