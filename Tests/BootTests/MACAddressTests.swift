import Boot
import Testing

@Suite struct MACAddressTests {
    @Test(arguments: ["00:16:3e:0a:bC:FF", "00-16-3E-0A-BC-FF", "0016.3e0a.bcff", "00163E0ABCFF", "00:16:3e:0a:bc:ff"])
    func everyWrittenFormNormalises(_ text: String) throws {
        // Given a MAC as people and tools write it
        // When parsed
        let mac = try #require(MACAddress(text))
        // Then it is stored lowercase with colons, and pxelinux's file name is ARP type 01 with dashes
        #expect(mac.description == "00:16:3e:0a:bc:ff")
        #expect(mac.pxelinuxConfigName == "01-00-16-3e-0a-bc-ff")
    }

    @Test(arguments: ["", "00:16:3e:0a:bc", "00:16:3e:0a:bc:ff:01", "00:16:3e:0a:bc:fg", "zz163e0abcff", "00:16:3e:0a:bc:f"])
    func nonMACsAreRefused(_ text: String) {
        // Given text that is not six octets
        // Then it does not parse
        #expect(MACAddress(text) == nil)
    }

    @Test func perNodeFileNamesAreRecognisedExactly() {
        // Given pxelinux.cfg entries
        // Then only farmctl-style per-node names (lowercase, ARP type 01, six dash-separated octets) are MACs
        #expect(MACAddress(pxelinuxConfigName: "01-00-16-3e-0a-bc-ff")?.description == "00:16:3e:0a:bc:ff")
        for name in ["default", "01-00-16-3E-0A-BC-FF", "C0A80007", "06-00-16-3e-0a-bc-ff", "01-0016-3e0a-bcff", ".01-00-16-3e-0a-bc-ff"] {
            #expect(MACAddress(pxelinuxConfigName: name) == nil, "\(name)")
        }
    }

    @Test func macsSortByOctets() {
        // Given two MACs
        let (a, b) = (MACAddress("00:00:00:00:00:ff")!, MACAddress("00:00:00:00:01:00")!)
        // Then they sort numerically
        #expect(a < b && !(b < a))
    }
}
