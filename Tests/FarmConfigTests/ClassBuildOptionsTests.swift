import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct ClassBuildOptionsTests {
    func load(_ build: String, stage: Bool = true) throws -> ClassBuildOptions {
        let base = stage ? "[base]\nstage = \"/srv/stage3.tar.xz\"\n" : ""
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n" + base + "[build]\n" + build + "\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": ""]
        return try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).build }
    }

    @Test func chrootModeWithItsSetupIsRead() throws {
        // Given a class building in chroot mode with a setup command, When loaded
        let build = try load("mode = \"chroot\"\nsetup = \"apt-get install -y gcc\"")
        // Then both are kept, and the mode knows its line
        #expect(build.effectiveMode == .chroot)
        #expect(build.mode?.location.line == 6)
        #expect(build.setup == "apt-get install -y gcc")
    }

    @Test func withoutABuildTableTheClassBuildsOnTheHost() throws {
        let files = ["PIII/class.toml": "arch = \"x86\"\nportage_profile = \"farm:default/linux/x86\"\n",
                     "PIII/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n", "PIII/packages": ""]
        let build = try withFiles(files) { dir in try ClassProfile.load(from: dir.appendingPathComponent("PIII")).build }
        #expect(build.effectiveMode == .host && build.setup == nil)
    }

    @Test func badBuildTablesAreRefusedWithTheLineAndTheFix() throws {
        // An unknown mode names the two there are
        #expect { try load("mode = \"docker\"") } throws: { error in
            "\(error)".contains("class.toml:6") && "\(error)".contains("docker") && "\(error)".contains("chroot")
        }
        // Chroot mode needs a seed stage to make the build root from
        #expect { try load("mode = \"chroot\"", stage: false) } throws: { error in
            "\(error)".contains("class.toml:4") && "\(error)".contains("[base]")
        }
        // An empty setup and an unknown key are refused too
        #expect { try load("setup = \"  \"") } throws: { error in "\(error)".contains("class.toml:6") && "\(error)".contains("setup") }
        #expect { try load("modes = \"chroot\"") } throws: { error in "\(error)".contains("class.toml:6") }
    }
}
