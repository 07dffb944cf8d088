import Foundation
import Testing
import TestSupport
@testable import Serve

/// Which request paths a class binhost serves: `Packages` and binpkgs inside the PKGDIR, nothing else.
@Suite struct BinhostPathTests {
    /// A PKGDIR with an index, one binpkg, a symlink to a file outside, a symlinked directory outside, and a secret beside it.
    func pkgdir() throws -> (URL, String) {
        let top = try Fixtures.temporaryDirectory("binhost")
        let pkgdir = top.appendingPathComponent("packages")
        let manager = FileManager.default
        try manager.createDirectory(at: pkgdir.appendingPathComponent("app-misc/fhsum"), withIntermediateDirectories: true)
        try "PACKAGES: 1\n".write(to: pkgdir.appendingPathComponent("Packages"), atomically: true, encoding: .utf8)
        try "binpkg".write(to: pkgdir.appendingPathComponent("app-misc/fhsum/fhsum-1.0-1.xpak"), atomically: true, encoding: .utf8)
        try "secret".write(to: top.appendingPathComponent("secret.xpak"), atomically: true, encoding: .utf8)
        try manager.createDirectory(at: top.appendingPathComponent("outside/pkg"), withIntermediateDirectories: true)
        try "secret".write(to: top.appendingPathComponent("outside/pkg/x-1.xpak"), atomically: true, encoding: .utf8)
        try manager.createSymbolicLink(atPath: pkgdir.appendingPathComponent("app-misc/fhsum/evil-1.xpak").path, withDestinationPath: top.appendingPathComponent("secret.xpak").path)
        try manager.createSymbolicLink(atPath: pkgdir.appendingPathComponent("linked").path, withDestinationPath: top.appendingPathComponent("outside").path)
        try manager.createDirectory(at: pkgdir.appendingPathComponent("app-misc/dir.xpak"), withIntermediateDirectories: true)
        return (top, pkgdir.path)
    }

    @Test func theIndexAndABinpkgAreServed() throws {
        // Given a PKGDIR
        let (top, pkgdir) = try pkgdir()
        defer { try? FileManager.default.removeItem(at: top) }
        // When its index and binpkg are asked for (plainly and percent-encoded), Then they resolve inside it
        #expect(BinhostPath.resolve("Packages", in: pkgdir)?.hasSuffix("/packages/Packages") == true)
        #expect(BinhostPath.resolve("app-misc/fhsum/fhsum-1.0-1.xpak", in: pkgdir)?.hasSuffix("/fhsum-1.0-1.xpak") == true)
        #expect(BinhostPath.resolve("app-misc/fhsum/fhsum%2D1.0-1.xpak", in: pkgdir)?.hasSuffix("/fhsum-1.0-1.xpak") == true)
    }

    @Test(arguments: [
        "../secret.xpak", "%2e%2e/secret.xpak", "%2E%2E/secret.xpak", "..%2fsecret.xpak", "app-misc/../../secret.xpak",
        "app-misc/fhsum/..%2f..%2f..%2fsecret.xpak", "/etc/passwd", "//etc/passwd", "app-misc//fhsum-1.0-1.xpak",
        "./Packages", "app-misc/./fhsum/fhsum-1.0-1.xpak", "app-misc/fhsum/evil-1.xpak", "linked/pkg/x-1.xpak",
        "app-misc/dir.xpak", "app-misc/fhsum/missing-1.xpak", "Packages%00.xpak", "app-misc/fhsum/fhsum-1.0-1.xpak%00",
        "app-misc\\fhsum\\fhsum-1.0-1.xpak", "..\\secret.xpak", "%", "%zz/Packages", "", "/", "app-misc/fhsum",
        "app-misc/fhsum/", "a/b/c/d-1.xpak", "app-misc/Packages", ".git/config", "app-misc/fhsum/.hidden.xpak",
        "app-misc/fhsum/fhsum-1.0-1.ebuild", String(repeating: "a/", count: 600) + "x.xpak", "%252e%252e/secret.xpak",
    ])
    func anythingElseIsNotFound(path: String) throws {
        // Given a PKGDIR with links and a file outside, When a hostile or non-binpkg path is asked for
        let (top, pkgdir) = try pkgdir()
        defer { try? FileManager.default.removeItem(at: top) }
        // Then nothing resolves
        #expect(BinhostPath.resolve(path, in: pkgdir) == nil)
    }

    @Test func aListenAddressNeedsHostAndPort() throws {
        #expect(try ListenAddress.parse("127.0.0.1:8474") == ListenAddress(host: "127.0.0.1", port: 8474))
        #expect(try ListenAddress.parse("0.0.0.0:0") == ListenAddress(host: "0.0.0.0", port: 0))
        for bad in ["8474", ":8474", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:http", "::1:80"] {
            #expect(throws: (any Error).self, "\(bad)") { try ListenAddress.parse(bad) }
        }
    }
}
