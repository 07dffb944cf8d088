@testable import Boot
import FarmConfig
import FarmModel
import Testing

@Suite struct NFSExportsTests {
    @Test func classRootsAreReadOnlyAndWritableExportsFollow() throws {
        // Given two class roots and a writable /home and /scratch
        let network = try #require(IPv4Network("10.0.0.0/24"))
        let location = SourceLocation(path: "workers.conf", line: 9)
        let writable = [WritableExport(path: "/home", options: WritableExport.defaultOptions, location: location),
                        WritableExport(path: "/scratch", options: ["rw", "async", "no_root_squash"], location: location)]
        // When the exports file is rendered
        let text = NFSExports.render(classRoots: ["/srv/farm/roots/PIII", "/srv/farm/roots/AthlonXP"], clusterNetwork: network,
                                     writable: writable)
        // Then it starts with farmctl's header, exports each class directory read-only with no_root_squash, sorted
        #expect(text == """
            \(PXEConfig.header)
            # Class roots, read-only: nodes mount <root>/current, which mountd resolves to the published generation.
            /srv/farm/roots/AthlonXP 10.0.0.0/24(ro,sync,no_root_squash,no_subtree_check)
            /srv/farm/roots/PIII 10.0.0.0/24(ro,sync,no_root_squash,no_subtree_check)
            # Writable exports ([pxe] writable_exports in workers.conf).
            /home 10.0.0.0/24(rw,sync,no_subtree_check)
            /scratch 10.0.0.0/24(rw,async,no_root_squash)

            """)
    }

    @Test func unusualCharactersInPathsAreOctalEscapes() {
        // Given paths with a space, a hash, a backslash and non-ASCII letters
        // Then they are escaped as exports(5) reads them, UTF-8 left alone
        #expect(NFSExports.escape("/srv/my roots/#1\\x") == "/srv/my\\040roots/\\0431\\134x")
        #expect(NFSExports.escape("/srv/rüben") == "/srv/rüben")
    }
}
