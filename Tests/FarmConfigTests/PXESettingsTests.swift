import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct PXESettingsTests {
    static let configFile = URL(fileURLWithPath: "/srv/farm/workers.conf")
    /// `[pxe]` is on line 10; `server` 11, `cluster_network` 12, extra lines from 13.
    static func text(_ pxe: [String] = []) -> String {
        """
        [farm]
        roots = "/srv/farm/roots"

        [worker.local]
        host = "localhost"
        jobs = 1
        arches = ["x86"]
        workdir = "work"

        [pxe]
        """ + "\n" + pxe.joined(separator: "\n") + "\n"
    }
    static let required = ["server = \"10.0.0.1\"", "cluster_network = \"10.0.0.0/24\""]

    func parse(_ pxe: [String]) throws -> PXESettings? {
        try FarmSettings.parse(Self.text(pxe), configFile: Self.configFile).pxe
    }

    @Test func withoutAPXETableNetworkBootIsNotManaged() throws {
        // Given workers.conf without [pxe], then settings have none
        #expect(try FarmSettings.parse(FarmSettingsFixtures.noPXE, configFile: Self.configFile).pxe == nil)
    }

    @Test func theRequiredKeysAloneGiveTheDefaults() throws {
        // Given only server and cluster_network
        let pxe = try #require(try parse(Self.required))
        // Then files go under the state directory, never /etc/exports, NFSv4 over TCP, exports for knfsd
        #expect(pxe.server.description == "10.0.0.1" && pxe.clusterNetwork.description == "10.0.0.0/24")
        #expect(pxe.tftpRoot.path == "/srv/farm/var/tftp" && pxe.exportsFile.path == "/srv/farm/var/exports")
        #expect(pxe.nfsOptions == "vers=4,tcp" && pxe.timeout == 10 && pxe.writableExports.isEmpty)
        #expect(pxe.nfsServers == [.knfsd] && pxe.ganeshaExportsFile.path == "/srv/farm/var/ganesha-exports.conf")
        #expect(pxe.location.line == 10)
    }

    @Test func everyKeyIsRead() throws {
        // Given every key, relative tftp_root and exports in exports(5) syntax
        let pxe = try #require(try parse(Self.required + [
            "tftp_root = \"tftp\"", "exports_file = \"/etc/exports.d/farmctl.exports\"", "nfs_options = \"vers=3,udp,nolock,hard\"",
            "timeout = 5", "writable_exports = [\"/home\", \"/scratch/(async,no_root_squash)\"]",
            "nfs_server = [\"knfsd\", \"ganesha\"]", "ganesha_exports_file = \"/etc/ganesha/farmctl.conf\""]))
        // Then paths resolve against workers.conf's directory and writable exports get `rw` first
        #expect(pxe.tftpRoot.path == "/srv/farm/tftp" && pxe.exportsFile.path == "/etc/exports.d/farmctl.exports")
        #expect(pxe.nfsOptions == "vers=3,udp,nolock,hard" && pxe.timeout == 5)
        #expect(pxe.writableExports.map(\.path) == ["/home", "/scratch"])
        #expect(pxe.writableExports.map(\.options) == [["rw", "sync", "no_subtree_check"], ["rw", "async", "no_root_squash"]])
        #expect(pxe.writableExports.map(\.location.line) == [17, 17])
        #expect(pxe.nfsServers == [.knfsd, .ganesha] && pxe.ganeshaExportsFile.path == "/etc/ganesha/farmctl.conf")
    }

    static let invalid: [(lines: [String], line: Int, kind: ConfigError.Kind, fragments: [String])] = [
        (["server = \"10.0.0.1\"", "cluster_network = \"10.0.0.0/33\""], 12, .invalidValue, ["`cluster_network` in [pxe]", "CIDR", "10.0.0.0/24"]),
        (["server = \"10.0.0.1\"", "cluster_network = \"10.0.0.5/24\""], 12, .invalidValue, ["host bits", "cluster_network = \"10.0.0.0/24\""]),
        (["server = \"nfs.lan\"", "cluster_network = \"10.0.0.0/24\""], 11, .invalidValue, ["not an IPv4 address", "no host names"]),
        (["server = \"010.0.0.1\"", "cluster_network = \"10.0.0.0/24\""], 11, .invalidValue, ["`010.0.0.1`, not an IPv4 address"]),
        (["cluster_network = \"10.0.0.0/24\""], 10, .missingKey, ["[pxe] is missing the required key `server`"]),
        (required + ["nfs_options = \"vers=3, tcp\""], 13, .invalidValue, ["` tcp`, not a mount option"]),
        (required + ["nfs_options = \"vers=3,rw\""], 13, .invalidValue, ["`rw`", "read-only"]),
        (required + ["exports_file = \"/etc/exports\""], 13, .invalidValue, ["/etc/exports.d/farmctl.exports"]),
        (required + ["exports_file = \"/etc/exports.d/farm\""], 13, .invalidValue, ["exportfs ignores", "farmctl.exports"]),
        (required + ["writable_exports = [\"home\"]"], 13, .invalidValue, ["not an absolute directory"]),
        (required + ["writable_exports = [\"/scratch(rw,no_root_sqash)\"]"], 13, .invalidValue, ["did you mean `no_root_squash`?"]),
        (required + ["writable_exports = [\"/home(ro)\"]"], 13, .invalidValue, ["with `ro`"]),
        (required + ["writable_exports = [\"/scratch(rw\"]"], 13, .invalidValue, ["not a closed `(…)` list"]),
        (required + ["writable_exports = [\"/srv/farm\"]"], 13, .invalidValue, ["overlaps the class roots in /srv/farm/roots"]),
        (required + ["writable_exports = [\"/srv/farm/roots/PIII\"]"], 13, .invalidValue, ["overlaps the class roots"]),
        (required + ["writable_exports = [", "  \"/home\",", "  \"/home/\",", "]"], 15, .invalidValue, ["lists /home twice"]),
        (required + ["timeout = 0"], 13, .invalidValue, ["between 1 and 3600", "forever"]),
        (required + ["nfs_server = \"nfsd\""], 13, .invalidValue, ["`nfsd`, not an NFS server", "\"ganesha\""]),
        (required + ["nfs_server = [\"knfsd\", \"unfs3\"]"], 13, .invalidValue, ["`unfs3`, not an NFS server"]),
        (required + ["tftproot = \"/srv/tftp\""], 13, .unknownKey, ["unknown key `tftproot` in [pxe]", "did you mean `tftp_root`?"]),
    ]

    @Test(arguments: invalid.indices)
    func invalidSettingsNameFileLineAndKey(_ index: Int) {
        let example = Self.invalid[index]
        // Given a [pxe] table with one mistake, then loading fails at its line with a fix
        expectConfigError(example.kind, file: "workers.conf", line: example.line, allOf: example.fragments) {
            _ = try parse(example.lines)
        }
    }

    @Test func networksAndAddressesParseStrictly() throws {
        // Given dotted quads and CIDR networks
        #expect(IPv4Address("192.168.7.2")?.description == "192.168.7.2")
        for bad in ["192.168.7", "192.168.7.256", "1.2.3.4.5", "1..2.3", "01.2.3.4", "a.b.c.d", " 1.2.3.4"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
        let network = try #require(IPv4Network("172.16.0.0/12"))
        #expect(network.contains(IPv4Address("172.31.255.1")!) && !network.contains(IPv4Address("172.32.0.1")!))
        #expect(IPv4Network("0.0.0.0/0")?.contains(IPv4Address("8.8.8.8")!) == true)
        #expect(IPv4Network("10.0.0.0") == nil && IPv4Network("10.0.0.0/") == nil && IPv4Network("10.0.0.0/-1") == nil)
    }
}

/// ``expectConfigError(_:file:line:_:sourceLocation:_:)`` with the fragments as an array (for parameterised cases).
func expectConfigError(_ kind: ConfigError.Kind, file: String, line: Int?, allOf fragments: [String],
                       sourceLocation: Testing.SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    expectConfigError(kind, file: file, line: line, sourceLocation: sourceLocation, body)
    do { try body() } catch {
        for fragment in fragments {
            #expect("\(error)".contains(fragment), "missing `\(fragment)` in: \(error)", sourceLocation: sourceLocation)
        }
    }
}

enum FarmSettingsFixtures {
    static let noPXE = "[worker.local]\nhost = \"localhost\"\njobs = 1\narches = [\"x86\"]\nworkdir = \"work\"\n"
}
