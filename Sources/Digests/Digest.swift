import CCrypto
import FarmModel
import Foundation

/// A hash Portage uses in Manifests (BLAKE2B, SHA512, SHA256) and Packages indexes (SHA1, MD5).
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case sha256 = "SHA256"
    case sha512 = "SHA512"
    case blake2b = "BLAKE2B"
    case sha1 = "SHA1"
    case md5 = "MD5"

    /// The name Portage writes in Manifests and Packages files, e.g. `BLAKE2B`.
    public var description: String { rawValue }

    /// The length of the hex digest, e.g. 128 for BLAKE2B (blake2b512).
    public var hexLength: Int {
        switch self {
        case .sha256: 64
        case .sha512, .blake2b: 128
        case .sha1: 40
        case .md5: 32
        }
    }

    /// The OpenSSL message digest (a static object owned by libcrypto).
    var evp: OpaquePointer? {
        switch self {
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        case .blake2b: EVP_blake2b512()
        case .sha1: EVP_sha1()
        case .md5: EVP_md5()
        }
    }
}

/// A digest that could not be computed: an unreadable file, or libcrypto refusing the algorithm.
public enum DigestError: UserFacingError, Hashable {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// libcrypto refused the algorithm (e.g. MD5 under a FIPS policy) or failed while hashing.
    case libcrypto(algorithm: DigestAlgorithm, step: String)

    public var problem: String {
        switch self {
        case let .unreadable(path, reason): "\(path): cannot be read to compute its digest: \(reason)"
        case let .libcrypto(algorithm, step): "OpenSSL libcrypto failed to compute \(algorithm) (\(step))"
        }
    }

    public var fix: String {
        switch self {
        case .unreadable: "check that the file exists and is readable by the user running farmctl"
        case .libcrypto(let algorithm, _):
            "check that the installed OpenSSL (libssl3) provides \(algorithm) and no crypto policy disables it"
        }
    }
}

/// Hex digests of data and of files via OpenSSL EVP; synchronous, so call it off the cooperative pool.
public enum Digest {
    /// The chunk size used when streaming a file: 1 MiB.
    public static let chunkSize = 1 << 20

    /// The lowercase hex digest of `data`.
    public static func hex(_ algorithm: DigestAlgorithm, of data: Data) throws(DigestError) -> String {
        try hex([algorithm], of: data)[algorithm]!
    }

    /// Lowercase hex digests of `data`, one per algorithm.
    public static func hex(_ algorithms: Set<DigestAlgorithm>, of data: Data) throws(DigestError)
        -> [DigestAlgorithm: String]
    {
        let hashers = try makeHashers(algorithms)
        for hasher in hashers { try hasher.update(data) }
        return try finish(hashers)
    }

    /// The lowercase hex digest of the file at `url`, read in 1 MiB chunks.
    public static func hex(_ algorithm: DigestAlgorithm, ofFile url: URL) throws(DigestError) -> String {
        try hex([algorithm], ofFile: url)[algorithm]!
    }

    /// Lowercase hex digests of the file at `url`, all computed in one streaming pass.
    public static func hex(_ algorithms: Set<DigestAlgorithm>, ofFile url: URL) throws(DigestError)
        -> [DigestAlgorithm: String]
    {
        try hexAndSize(algorithms, ofFile: url).digests
    }

    /// Digests and byte count of the file at `url` in one streaming pass.
    public static func hexAndSize(_ algorithms: Set<DigestAlgorithm>, ofFile url: URL) throws(DigestError)
        -> (digests: [DigestAlgorithm: String], size: Int)
    {
        let handle: FileHandle
        switch openRegularFile(url) {
        case .success(let opened): handle = opened
        case .failure(let reason): throw .unreadable(path: url.path, reason: reason.text)
        }
        defer { try? handle.close() }
        let hashers = try makeHashers(algorithms)
        var size = 0
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: chunkSize) } catch {
                throw .unreadable(path: url.path, reason: describe(error))
            }
            guard let chunk, !chunk.isEmpty else { break }
            size += chunk.count
            for hasher in hashers { try hasher.update(chunk) }
        }
        return (try finish(hashers), size)
    }

    /// The raw digest of `bytes` (e.g. 32 bytes of SHA-256 for an SSH host key's fingerprint).
    public static func bytes(_ algorithm: DigestAlgorithm, of bytes: UnsafeRawBufferPointer) throws(DigestError) -> [UInt8] {
        let stream = try DigestStream(algorithm)
        try stream.update(bytes)
        return try stream.finalBytes()
    }

    public static func makeHashers(_ algorithms: Set<DigestAlgorithm>) throws(DigestError) -> [DigestStream] {
        var hashers: [DigestStream] = []
        for algorithm in algorithms.sorted(by: { $0.rawValue < $1.rawValue }) { hashers.append(try DigestStream(algorithm)) }
        return hashers
    }

    public static func finish(_ hashers: [DigestStream]) throws(DigestError) -> [DigestAlgorithm: String] {
        var result: [DigestAlgorithm: String] = [:]
        for hasher in hashers { result[hasher.algorithm] = try hasher.finalHex() }
        return result
    }

    /// The reason an error gives, for messages.
    public static func describe(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }

    /// A reason a file could not be opened, for the caller's own error type.
    public struct OpenFailure: Error { public let text: String }

    /// Opens a regular file for reading; refuses FIFOs and devices, whose reads could block forever.
    public static func openRegularFile(_ url: URL) -> Result<FileHandle, OpenFailure> {
        // resolvingSymlinksInPath: DISTDIR and PKGDIR entries are often symlinks to regular files.
        let values = try? url.resolvingSymlinksInPath().resourceValues(forKeys: [.isRegularFileKey, .isDirectoryKey])
        if let values, values.isRegularFile != true {
            return .failure(OpenFailure(text: values.isDirectory == true ? "it is a directory" : "not a regular file"))
        }
        do {
            return .success(try FileHandle(forReadingFrom: url))
        } catch {
            return .failure(OpenFailure(text: describe(error)))
        }
    }
}

/// One running EVP digest: feed bytes, then read the digest once. Not thread-safe: each instance stays with the
/// one task or call that feeds it (a gpkg member check, a file transfer).
public final class DigestStream {
    public let algorithm: DigestAlgorithm
    private let context: OpaquePointer

    /// A SHA-256 stream; libcrypto always provides SHA-256, so this cannot fail short of a broken OpenSSL.
    public static func sha256() -> DigestStream {
        do { return try DigestStream(.sha256) } catch { fatalError("OpenSSL could not start a SHA-256 digest: \(error.problem)") }
    }

    public init(_ algorithm: DigestAlgorithm) throws(DigestError) {
        self.algorithm = algorithm
        guard let context = EVP_MD_CTX_new() else { throw .libcrypto(algorithm: algorithm, step: "EVP_MD_CTX_new") }
        // Initialise before storing the context, so a failure frees it here and deinit never sees it.
        guard let md = algorithm.evp, EVP_DigestInit_ex(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw .libcrypto(algorithm: algorithm, step: "EVP_DigestInit_ex")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `data` to the digest.
    public func update(_ data: Data) throws(DigestError) {
        let result: Result<Void, DigestError> = data.withUnsafeBytes { bytes in Result { () throws(DigestError) in try update(bytes) } }
        try result.get()
    }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) throws(DigestError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, base, bytes.count) == 1 else { throw .libcrypto(algorithm: algorithm, step: "EVP_DigestUpdate") }
    }

    /// The digest of everything fed so far (call once).
    public func finalBytes() throws(DigestError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_DigestFinal_ex(context, &output, &length) == 1 else {
            throw .libcrypto(algorithm: algorithm, step: "EVP_DigestFinal_ex")
        }
        return Array(output.prefix(Int(length)))
    }

    /// The digest of everything fed so far as lowercase hex (call once).
    public func finalHex() throws(DigestError) -> String {
        let table = Array("0123456789abcdef".utf8)
        let digest = try finalBytes()
        var hex = [UInt8]()
        hex.reserveCapacity(digest.count * 2)
        for byte in digest {
            hex.append(table[Int(byte >> 4)])
            hex.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
