import FarmModel
import Foundation
import Testing
import Workers
@testable import Portage

/// The commands of a chroot-mode class: what runs where, and what the build root sees. The real builds inside a
/// build root are in FarmTests' ChrootBuildTests (the example stage, `make test`) and `make demo` (class PIII).
@Suite struct BuildChrootTests {
    func tree(chroot: Bool) -> ClassTree {
        var tree = ClassTree(nodeClass: ClassName("PIII")!, arch: "x86", emerge: "/venv/bin/emerge", configRoot: "/farm/var/config/PIII",
                             repositories: [Repository(name: "farm", location: "/farm/repo")], pkgdir: "/farm/var/packages/PIII",
                             distdir: "/farm/var/distfiles", workDirectory: "/farm/var/work/local/PIII", needs32BitPersonality: true,
                             hostPkgdir: "/farm/var/packages/_host")
        tree.buildsInChroot = chroot
        return tree
    }

    /// The words after `--` in the chroot wrapper: the program run inside and its arguments.
    func inner(_ command: Command) -> [String] {
        Array(command.arguments.drop { $0 != "--" }.dropFirst())
    }

    @Test func aChrootClassBuildsInItsBuildRootWithTheFarmBoundIn() throws {
        // Given a 32-bit class in chroot mode
        let tree = tree(chroot: true)

        // When it builds a package
        let command = tree.buildCommand(cpv: CPV("app-misc/cpubench-1.0")!, tmpdir: "/farm/var/work/local/PIII/tmp/x")

        // Then the build root is its staging root, and emerge runs inside it under linux32, in a private namespace that
        // dies with the build, with ROOT=/ and no host compiler override
        #expect(tree.stagingRoot == "/farm/var/work/local/PIII/buildroot")
        #expect(command.personality == .linux32)
        #expect(command.executable == "/bin/sh")
        #expect(command.arguments.contains("unshare") && command.arguments.contains("--kill-child") && command.arguments.contains("--pid"))
        #expect(inner(command).first == BuildChroot.emerge && inner(command).last == "=app-misc/cpubench-1.0")
        #expect(command.environment["ROOT"] == .some("/") && command.environment["PORTAGE_OVERRIDE_EPREFIX"] == .some("/"))
        #expect(command.environment["CC"] == .some(nil) && command.environment["PKGDIR"] == .some("/farm/var/packages/PIII"))
        // and the repository, DISTDIR and config root are read-only; PKGDIR, TMPDIR and logs writable
        let binds = tree.binds
        #expect(binds.contains(.init("/farm/repo", writable: false)) && binds.contains(.init("/farm/var/distfiles", writable: false)))
        #expect(binds.contains(.init("/farm/var/config/PIII", writable: false)))
        #expect(binds.contains(.init("/farm/var/packages/PIII", writable: true)) && binds.contains(.init("/farm/var/work/local/PIII/tmp", writable: true)))
        #expect(command.arguments.contains("ro") && command.arguments.contains("rw"))
    }

    @Test func assemblyAndHostModeStayOnTheWorker() throws {
        // Given the same class in chroot mode, When a generation is assembled, Then emerge runs on the worker itself
        let assemble = tree(chroot: true).assembleCommand(atoms: ["app-misc/farm-node-meta"], root: "/farm/var/roots/PIII/3")
        #expect(assemble.executable == "/venv/bin/emerge" && assemble.environment["ROOT"] == .some("/farm/var/roots/PIII/3"))

        // Given host mode, Then builds use the host's gcc -m32 against the staging root, with no namespace
        let host = tree(chroot: false)
        let build = host.buildCommand(cpv: CPV("app-misc/cpubench-1.0")!, tmpdir: "/t")
        #expect(host.stagingRoot == "/farm/var/work/local/PIII/staging")
        #expect(build.executable == "/venv/bin/emerge" && build.environment["CC"] == .some("gcc -m32"))
    }

    @Test func theEnterScriptMountsInsideTheNamespaceOnly() {
        // The mounts are made by the script unshare runs, so they live in its private mount namespace
        #expect(BuildChroot.enterScript.contains("mount -t proc proc \"$root/proc\""))
        #expect(BuildChroot.enterScript.contains("remount,bind,ro"))
        #expect(BuildChroot.enterScript.contains("exec chroot \"$root\""))
        // and the guard kills the build when the process that started it is gone
        #expect(BuildChroot.guardScript.contains("kill -0 \"$PPID\"") && BuildChroot.guardScript.contains("kill -KILL \"$child\""))
    }
}
