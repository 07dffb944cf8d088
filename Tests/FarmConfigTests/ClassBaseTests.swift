import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct ClassBaseTests {
    func load(_ base: String) throws -> (ClassBase, URL) {
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n[base]\n" + base + "\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": ""]
        return try withFiles(files) { dir in
            (try ClassProfile.load(from: dir.appendingPathComponent("PIII")).base, dir.standardizedFileURL)
        }
    }

    @Test func aRelativeStageResolvesAgainstTheClassDirectoryAndKeepsItsLine() throws {
        // Given `[base] stage` relative to the class directory, When loaded
        let (base, directory) = try load("stage = \"../stages/stage3-i686.tar.xz\"")
        // Then it names the file beside the profiles, and class.toml's line 4
        #expect(base.stage?.value.path == directory.appendingPathComponent("stages/stage3-i686.tar.xz").path)
        #expect(base.stage?.location.line == 4)
    }

    @Test func withoutABaseTableThereIsNoStage() throws {
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": ""]
        let base = try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).base }
        #expect(base == ClassBase())
    }

    @Test func anEmptyStageOrAnUnknownKeyIsRefusedWithItsLine() throws {
        #expect { try load("stage = \"\"") } throws: { error in
            "\(error)".contains("class.toml:4") && "\(error)".contains("stage")
        }
        #expect { try load("stages = \"x.tar\"") } throws: { error in
            "\(error)".contains("class.toml:4") && "\(error)".contains("stage")
        }
    }
}
