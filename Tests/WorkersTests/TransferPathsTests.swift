import Testing
@testable import Workers

@Suite struct TransferPathsTests {
    @Test(arguments: [("/var/cache/binpkgs/a/b.gpkg.tar", "/var/cache/binpkgs/a/.b.gpkg.tar.farmctl-"),
                      ("/top", "/.top.farmctl-"), ("relative/file", "relative/.file.farmctl-"), ("file", "./.file.farmctl-")])
    func temporaryNameIsHiddenBesideTheTarget(target: String, prefix: String) {
        // Given a target path (a worker's or the coordinator's)
        // When the temporary name for a transfer to it is chosen
        let temporary = TransferPaths.temporary(besides: target)
        // Then it is hidden, in the same directory, unique, and never resolved against the local working directory
        #expect(temporary.hasPrefix(prefix) && temporary.hasSuffix(".part"))
        #expect(temporary != TransferPaths.temporary(besides: target))
    }
}
