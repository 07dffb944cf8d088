import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct ClassAuditTests {
    /// class.toml with `[audit]` on line 3 and `lines` from line 4.
    func load(_ lines: [String]) throws -> ClassAudit {
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n[audit]\n" + lines.joined(separator: "\n") + "\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": ""]
        return try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).audit }
    }

    @Test func strictISAAndAllowedFilesAreRead() throws {
        // Given both keys, When loaded, Then both are kept, each allowed path with its line
        let audit = try load(["strict_isa = true", "allow = [\"/usr/lib/libcrypto.so.*\", \"/opt/vendor/bin/*\"]"])
        #expect(audit.strictISA)
        #expect(audit.allow.map(\.value) == ["/usr/lib/libcrypto.so.*", "/opt/vendor/bin/*"] && audit.allow[0].location.line == 5)
        // and without a table violations are reported, not enforced
        #expect(ClassAudit() == (try load([])) && !ClassAudit().strictISA && ClassAudit().allow.isEmpty)
    }

    static let invalid: [(line: String, kind: ConfigError.Kind, fragments: [String])] = [
        ("strict = true", .unknownKey, ["unknown key `strict` in [audit] in class.toml", "did you mean `strict_isa`?"]),
        ("strict_isa = \"yes\"", .wrongType, ["`strict_isa` in [audit] in class.toml must be true or false"]),
        ("allow = [\"usr/bin/x\"]", .invalidValue, ["holds `usr/bin/x`, not a path inside the root", "\"/usr/lib/libfoo.so.*\""]),
        ("allow = \"/usr/bin/x\"", .wrongType, ["must be an array of strings"]),
    ]

    @Test(arguments: invalid.indices)
    func invalidAuditSettingsNameFileLineAndKey(_ index: Int) {
        let example = Self.invalid[index]
        // Given an [audit] table with one mistake on line 4, then loading fails there with a fix
        expectConfigError(example.kind, file: "class.toml", line: 4, allOf: example.fragments) {
            _ = try load([example.line])
        }
    }
}
