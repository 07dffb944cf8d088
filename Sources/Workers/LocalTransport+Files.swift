import Foundation

extension LocalTransport {
    public func upload(_ localPath: String, to remotePath: String) async throws {
        try await onOwnThread(named: "farmctl-file-copy") { try Self.copyVerified(from: localPath, to: remotePath) }
    }

    public func download(_ remotePath: String, to localPath: String) async throws {
        try await onOwnThread(named: "farmctl-file-copy") { try Self.copyVerified(from: remotePath, to: localPath) }
    }

    /// Copies `source` to a temporary name beside `target`, hashing as it reads; re-reads the copy and compares
    /// SHA-256 and size; then rename(2)s it into place. The temporary file is removed on any failure.
    static func copyVerified(from source: String, to target: String) throws(FileTransferError) {
        let directory = TransferPaths.parent(of: target)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FileTransferError(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        let temporary = TransferPaths.temporary(besides: target)
        do throws(FileTransferError) {
            let written = try copy(from: source, to: temporary)
            let check = try FileSHA256.of(temporary)
            guard check == written else {
                throw FileTransferError(path: temporary, reason: "the copy of \(source) does not match it "
                    + "(\(written.size) bytes, sha256 \(written.sha256) vs \(check.size) bytes, sha256 \(check.sha256))")
            }
            guard rename(temporary, target) == 0 else { throw FileTransferError(path: target, action: "rename into place", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Copies `source` to a new file `target` (which must not exist) and returns the size and SHA-256 of what it read.
    private static func copy(from source: String, to target: String) throws(FileTransferError) -> (size: Int64, sha256: String) {
        var info = stat()
        let mode = stat(source, &info) == 0 ? mode_t(info.st_mode & 0o7777) : 0o644
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard output >= 0 else { throw FileTransferError(path: target, action: "create", errno: errno) }
        defer { close(output) }
        return try FileSHA256.of(source) { (block) throws(FileTransferError) in
            var done = 0
            while done < block.count {
                let wrote = write(output, block.baseAddress! + done, block.count - done)
                if wrote < 0, errno == EINTR { continue }
                guard wrote > 0 else { throw FileTransferError(path: target, action: "write", errno: errno) }
                done += wrote
            }
        }
    }

}
