import Foundation
import Testing
import TestSupport
import Workers

@Suite struct RemoteCommandLineTests {
    @Test func plainCommandIsQuotedWordForWord() {
        // Given a command with no environment, directory or personality
        let command = Command("echo", ["hi", "it's"])
        // When it is rendered
        let line = RemoteCommandLine(command).text
        // Then every word is single-quoted and the shell execs it
        #expect(line == #"exec 'echo' 'hi' 'it'\''s'"#)
    }

    @Test func environmentDirectoryAndPersonality() {
        // Given a 32-bit command with variables set and unset and a working directory with a space
        let command = Command("make", ["-j2"], environment: ["CFLAGS": "-O2 -pipe", "MAKEFLAGS": nil, "A": "1"],
                              workingDirectory: "/var/tmp/my dir", personality: .linux32)
        // When it is rendered
        let line = RemoteCommandLine(command).text
        // Then it changes directory, unsets before setting (sorted), and runs under linux32
        #expect(line == "cd '/var/tmp/my dir' && exec env -u 'MAKEFLAGS' A='1' CFLAGS='-O2 -pipe' linux32 'make' '-j2'")
    }

    @Test func chrootPutsTheDirectoryInside() {
        // Given a 32-bit command with a working directory, for a chroot
        let command = Command("emerge", ["--oneshot", "app/x"], environment: ["FEATURES": "-sandbox"],
                              workingDirectory: "/var/tmp", personality: .linux32)
        // When it is rendered for the chroot /srv/x86
        let line = RemoteCommandLine(command, chroot: "/srv/x86").text
        // Then env and linux32 wrap chroot, and the directory change happens inside it
        #expect(line == #"exec env FEATURES='-sandbox' linux32 chroot '/srv/x86' /bin/sh -c 'cd '\''/var/tmp'\'' && exec '\''emerge'\'' '\''--oneshot'\'' '\''app/x'\'''"#)
    }

    @Test func oddVariableNamesAreQuotedWhole() {
        // Given a variable whose name env(1) accepts but a shell assignment would not
        let command = Command("true", environment: ["A-B": "x"])
        // When it is rendered
        let line = RemoteCommandLine(command).text
        // Then the whole assignment is one quoted word
        #expect(line == "exec env 'A-B=x' 'true'")
    }

    @Test(arguments: [false, true])
    func aShellGetsBackTheExactArguments(chrooted: Bool) throws {
        // Given arguments full of shell syntax
        let arguments = ["a b", "it's", "$HOME", "`id`", "\\", "", "*", "\"q\"", "x\ny", "'", "--"]
        let command = Command("printf", ["<%s>\n"] + arguments, environment: ["V": "it's $x"])
        // When /bin/sh runs the rendered line (in the chroot "/" when chrooted, which needs root)
        let line = RemoteCommandLine(command, chroot: chrooted ? "/" : nil).text
        let (status, output) = try ExampleFarm.run("/bin/sh", ["-c", line])
        // Then printf received every argument unchanged
        #expect(status == 0)
        #expect(output == arguments.map { "<\($0)>\n" }.joined())
    }
}

