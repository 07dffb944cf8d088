import Digests
import Foundation
import Testing

@Suite struct TreeDigestTests {
    /// A temporary tree with one file and one link.
    static func tree() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("one".utf8).write(to: root.appendingPathComponent("sub/file"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("link").path, withDestinationPath: "sub/file")
        return root
    }

    @Test func theMetadataStampChangesWithAnEditButNotWithGitInternals() throws {
        // Given a tree and its stamp
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try TreeDigest.metadataStamp(root.path)

        // When only .git changes, the stamp stays; when a file is rewritten, it moves
        try FileManager.default.createDirectory(at: root.appendingPathComponent(".git"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: root.appendingPathComponent(".git/HEAD"))
        #expect(try TreeDigest.metadataStamp(root.path) == before)
        try Data("two!".utf8).write(to: root.appendingPathComponent("sub/file"))
        #expect(try TreeDigest.metadataStamp(root.path) != before)
    }

    @Test func theContentDigestFollowsContentNotTimes() throws {
        // Given a tree and its content digest
        let root = try Self.tree()
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try TreeDigest.compute(root.path)

        // When a file's time changes but not its bytes, the digest stays; when its bytes change, it moves
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1)], ofItemAtPath: root.appendingPathComponent("sub/file").path)
        #expect(try TreeDigest.compute(root.path) == before)
        try Data("ONE".utf8).write(to: root.appendingPathComponent("sub/file"))
        #expect(try TreeDigest.compute(root.path) != before)
    }

    @Test func aStreamAgreesWithTheOneShotDigest() throws {
        // Given bytes fed to a stream in two pieces
        let stream = DigestStream.sha256()
        try stream.update(Data("hello ".utf8))
        try stream.update(Data("world".utf8))

        // Then its digest is the one of the whole (sha256sum of "hello world")
        let expected = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        #expect(try stream.finalHex() == expected)
        #expect(try Digest.hex(.sha256, of: Data("hello world".utf8)) == expected)
    }

    @Test func anUnreadableDirectoryIsNamed() {
        #expect { try TreeDigest.metadataStamp("/nonexistent-\(UUID().uuidString)") } throws: { error in
            "\(error)".contains("cannot read /nonexistent-")
        }
    }
}
