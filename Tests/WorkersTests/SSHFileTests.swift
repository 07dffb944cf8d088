import Foundation
import Testing
import TestSupport
import Workers

/// A file of `size` random bytes in a new temp directory.
func randomFile(_ size: Int) throws -> (directory: URL, path: String, data: Data) {
    let directory = try Fixtures.temporaryDirectory("transfer")
    guard let random = FileHandle(forReadingAtPath: "/dev/urandom") else { throw CocoaError(.fileReadNoPermission) }
    let data = random.readData(ofLength: size)
    random.closeFile()
    let path = directory.appendingPathComponent("source.bin").path
    try data.write(to: URL(fileURLWithPath: path))
    return (directory, path, data)
}

@Suite struct SSHFileTests {
    @Test func uploadAndDownloadTwentyMiBVerified() async throws {
        try await withHost { host, transport in
            // Given a 20 MiB random file and a worker directory that does not exist yet
            let (directory, source, data) = try randomFile(20 << 20)
            defer { try? FileManager.default.removeItem(at: directory) }
            let remoteDirectory = "/tmp/farmctl-remote-\(UUID().uuidString.prefix(8))/a/b"
            let remote = remoteDirectory + "/file.bin"
            let back = directory.appendingPathComponent("back/file.bin").path
            // When it is uploaded and downloaded again
            var start = ContinuousClock.now
            try await transport.upload(source, to: remote)
            let up = elapsed(since: start)
            start = .now
            try await transport.download(remote, to: back)
            let down = elapsed(since: start)
            print(String(format: "20 MiB upload %.2f s (%.0f MiB/s), download %.2f s (%.0f MiB/s)", up, 20 / up, down, 20 / down))
            // Then both copies are identical and only the target is left in either directory
            #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == data)
            let (_, listing) = try await transport.capture(Command("ls", ["-A", remoteDirectory]), limit: 1000)
            #expect(listing == "file.bin\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("back").path) == ["file.bin"])
            _ = try await transport.run(Command("rm", ["-rf", String(remoteDirectory.dropLast(4))]))
        }
    }

    @Test func uploadReplacesAnExistingFile() async throws {
        try await withHost { _, transport in
            // Given a file already at the target path on the worker
            let (directory, source, _) = try randomFile(4096)
            defer { try? FileManager.default.removeItem(at: directory) }
            let remote = "/tmp/farmctl-replace-\(UUID().uuidString.prefix(8))"
            defer { unlink(remote) }  // the worker is this machine (loopback sshd)
            #expect(try await transport.run(Command("sh", ["-c", "echo old > \(remote)"])).termination.succeeded)
            // When a file is uploaded over it
            try await transport.upload(source, to: remote)
            // Then the target holds the new content
            let (_, sum) = try await transport.capture(Command("sha256sum", [remote]), limit: 200)
            let local = try ExampleFarm.run("/usr/bin/sha256sum", [source]).1
            #expect(sum.prefix(64) == local.prefix(64))
        }
    }

    @Test func failedUploadLeavesNoFileAtTheTarget() async throws {
        try await withHost { _, transport in
            // Given a worker directory on a 1 MiB tmpfs (in the test sshd's mount namespace): the disk fills up
            let (directory, source, _) = try randomFile(4 << 20)
            defer { try? FileManager.default.removeItem(at: directory) }
            let full = "/tmp/farmctl-full-\(UUID().uuidString.prefix(8))"
            #expect(try await transport.run(Command("sh", ["-c", "mkdir -p \(full) && mount -t tmpfs -o size=1m none \(full)"]))
                .termination.succeeded)
            defer { rmdir(full) }  // rmdir(2) only: the tmpfs is mounted in the sshd's namespace, not here
            // When a 4 MiB file is uploaded there
            let error = await #expect(throws: SSHError.self) { try await transport.upload(source, to: full + "/file.bin") }
            // Then the upload fails as an SFTP failure (the worker is fine) and the directory holds nothing at all
            guard case .sftpFailed = error else { Issue.record("not sftpFailed: \(String(describing: error))"); return }
            #expect(error?.isWorkerLost == false)
            let (_, listing) = try await transport.capture(Command("ls", ["-A", full]), limit: 1000)
            #expect(listing == "")
            _ = try await transport.run(Command("umount", [full]))
        }
    }

    @Test func downloadOfMissingFileLeavesNothingLocally() async throws {
        try await withHost { _, transport in
            // Given a worker path with no file
            let directory = try Fixtures.temporaryDirectory("download")
            defer { try? FileManager.default.removeItem(at: directory) }
            // When it is downloaded
            let error = await #expect(throws: SSHError.self) {
                try await transport.download("/nonexistent/farmctl/file", to: directory.appendingPathComponent("x").path)
            }
            // Then the error names the path and no file (not even a temporary one) is left
            #expect("\(error!)".contains("/nonexistent/farmctl/file"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
        }
    }
}

@Suite struct LocalTransportFileTests {
    @Test func uploadAndDownloadRoundTrip() async throws {
        // Given a 1 MiB random file
        let (directory, source, data) = try randomFile(1 << 20)
        defer { try? FileManager.default.removeItem(at: directory) }
        let transport = LocalTransport()
        let remote = directory.appendingPathComponent("worker/new/file.bin").path
        let back = directory.appendingPathComponent("back/file.bin").path
        // When it is uploaded into a missing directory and downloaded again
        try await transport.upload(source, to: remote)
        try await transport.download(remote, to: back)
        // Then both copies match and no temporary file is left
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == data)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("worker/new").path) == ["file.bin"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("back").path) == ["file.bin"])
    }

    @Test func missingSourceFailsWithoutTouchingTheTarget() async throws {
        // Given a missing source file
        let directory = try Fixtures.temporaryDirectory("local")
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("target").path
        // When it is uploaded
        let error = await #expect(throws: FileTransferError.self) {
            try await LocalTransport().upload(directory.appendingPathComponent("missing").path, to: target)
        }
        // Then the error names the source, says the worker is not lost, and nothing appears
        #expect(error?.path.hasSuffix("missing") == true)
        #expect(error?.isWorkerLost == false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [])
    }
}
