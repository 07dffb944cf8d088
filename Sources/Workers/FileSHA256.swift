import Digests
import Foundation

/// Size and SHA-256 of a file as transfers check it: read once in 1 MiB blocks, each block also handed to the copy.
enum FileSHA256 {
    /// Size and SHA-256 of the file at `path`, each block also given to `each`.
    static func of(_ path: String, each: (UnsafeRawBufferPointer) throws(FileTransferError) -> Void = { _ in })
        throws(FileTransferError) -> (size: Int64, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileTransferError(path: path, action: "read", errno: errno) }
        defer { close(fd) }
        let digest = DigestStream.sha256()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Digest.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var size: Int64 = 0
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileTransferError(path: path, action: "read", errno: errno)
            }
            if count == 0 { return (size, finish(digest)) }
            let block = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            try each(block)
            update(digest, block)
            size += Int64(count)
        }
    }

    /// Feeds a SHA-256 stream; libcrypto does not fail on SHA-256 updates short of a broken OpenSSL.
    static func update(_ digest: DigestStream, _ bytes: UnsafeRawBufferPointer) {
        do { try digest.update(bytes) } catch { fatalError("OpenSSL failed a SHA-256 update: \(error.problem)") }
    }

    /// The hex digest of a SHA-256 stream (call once).
    static func finish(_ digest: DigestStream) -> String {
        do { return try digest.finalHex() } catch { fatalError("OpenSSL failed to finish a SHA-256: \(error.problem)") }
    }
}
