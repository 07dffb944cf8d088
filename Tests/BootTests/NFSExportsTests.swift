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
            # Class roots, read-only: nodes mount <root>/current (NFSv4: the node follows the link; NFSv3: mountd resolves it).
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

    @Test func ganeshaExportsEachClassDirectoryUnderItsOwnPathOverNFSv4() throws {
        // Given two class roots and a writable /home
        let network = try #require(IPv4Network("10.0.0.0/24"))
        let home = WritableExport(path: "/home", options: WritableExport.defaultOptions, location: SourceLocation(path: "w", line: 1))
        // When ganesha's include file is rendered
        let text = GaneshaExports.render(classRoots: ["/srv/farm/roots/PIII", "/srv/farm/roots/AthlonXP"], clusterNetwork: network,
                                         writable: [home])
        // Then each class directory is exported read-only to the cluster only, NFSv4, root not squashed, Pseudo = Path
        // (one nfsroot= path for knfsd and ganesha), and /home read-write with root squashed
        #expect(text.hasPrefix(PXEConfig.header + "\n"))
        let blocks = text.components(separatedBy: "EXPORT {").dropFirst().map { $0 }
        #expect(blocks.count == 3)
        #expect(blocks[0].contains("Path = \"/srv/farm/roots/AthlonXP\";") && blocks[0].contains("Pseudo = \"/srv/farm/roots/AthlonXP\";"))
        #expect(blocks[1].contains("Path = \"/srv/farm/roots/PIII\";"))
        for block in blocks.prefix(2) {
            #expect(block.contains("Protocols = 4;") && block.contains("Squash = No_Root_Squash;") && block.contains("Access_Type = None;"))
            #expect(block.contains("CLIENT { Clients = 10.0.0.0/24; Access_Type = RO; }") && block.contains("FSAL { Name = VFS; }"))
        }
        #expect(blocks[2].contains("Path = \"/home\";") && blocks[2].contains("Access_Type = RW;") && blocks[2].contains("Squash = Root_Squash;"))
        // and the export ids are distinct and do not change when a class is added
        let ids = blocks.map { $0.split(separator: "\n").first { $0.contains("Export_Id") }! }
        #expect(Set(ids).count == 3)
        let more = GaneshaExports.render(classRoots: ["/srv/farm/roots/PIII", "/srv/farm/roots/AthlonXP", "/srv/farm/roots/K6"],
                                         clusterNetwork: network, writable: [home])
        for id in ids { #expect(more.contains(id)) }
    }
}
