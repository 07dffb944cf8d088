import CCrypto
import Foundation

/// A running SHA-256 (OpenSSL's EVP): feed bytes, then read the lowercase hex digest once.
/// Not thread-safe: each instance stays on the thread that uses it.
final class SHA256Digest {
    private let context: OpaquePointer

    init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            fatalError("OpenSSL could not start a SHA-256 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// The digest of everything fed so far, as 64 lowercase hex digits (call once).
    func finish() -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Self.hex(digest.prefix(Int(length)))
    }

    /// SHA-256 of `bytes` in one go.
    static func of(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = EVP_Digest(bytes.baseAddress, bytes.count, &digest, &length, EVP_sha256(), nil)
        return Array(digest.prefix(Int(length)))
    }

    static func hex<S: Sequence<UInt8>>(_ bytes: S) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Size and SHA-256 of the file at `path`, read in 1 MiB blocks, each block also given to `each`.
    static func file(_ path: String, each: (UnsafeRawBufferPointer) throws(FileTransferError) -> Void = { _ in })
        throws(FileTransferError) -> (size: Int64, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileTransferError(path: path, action: "read", errno: errno) }
        defer { close(fd) }
        let digest = SHA256Digest()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var size: Int64 = 0
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileTransferError(path: path, action: "read", errno: errno)
            }
            if count == 0 { return (size, digest.finish()) }
            let block = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            try each(block)
            digest.update(block)
            size += Int64(count)
        }
    }
}
