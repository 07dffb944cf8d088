import Digests
import Foundation

/// Where a binary package's bytes come from: a file, reopened for each pass, or bytes already in memory.
enum ByteSource: Sendable {
    case file(URL)
    case memory(Data)
}

/// An open binary package read by offset: `pread` on a file, or slices of in-memory bytes.
///
/// Not thread-safe; one is opened per pass (init, listing, verification, extraction) and dropped after it.
final class ByteReader {
    /// The package's path, for messages.
    let path: String
    /// The size in bytes when it was opened.
    let size: Int
    private let handle: FileHandle?
    private let data: Data

    /// Opens `source`; a file must be a regular file (a FIFO or device could block forever).
    init(_ source: ByteSource, path: String) throws(BinpkgError) {
        self.path = path
        switch source {
        case .memory(let bytes):
            handle = nil
            data = bytes
            size = bytes.count
        case .file(let url):
            switch Digest.openRegularFile(url) {
            case .success(let opened): handle = opened
            case .failure(let reason): throw BinpkgError(path: path, kind: .unreadable(reason: reason.text))
            }
            data = Data()
            var info = stat()
            guard fstat(handle!.fileDescriptor, &info) == 0 else {
                throw BinpkgError(path: path, kind: .unreadable(reason: String(cString: strerror(errno))))
            }
            size = Int(info.st_size)
        }
    }

    deinit { try? handle?.close() }

    /// Copies up to `buffer.count` bytes at `offset` into `buffer`; fewer at the end of the package.
    func read(at offset: Int, into buffer: UnsafeMutableRawBufferPointer) throws(BinpkgError) -> Int {
        let count = max(0, min(buffer.count, size - offset))
        guard count > 0, let base = buffer.baseAddress else { return 0 }
        guard let handle else {
            let start = data.startIndex + offset
            data.copyBytes(to: base.assumingMemoryBound(to: UInt8.self), from: start..<(start + count))
            return count
        }
        var done = 0
        while done < count {
            let got = pread(handle.fileDescriptor, base + done, count - done, off_t(offset + done))
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else {
                throw BinpkgError(path: path, kind: .unreadable(reason: String(cString: strerror(errno))))
            }
            guard got > 0 else { break }  // the file shrank while it was read
            done += got
        }
        return done
    }

    /// The bytes in `range` (fewer when the package ends first).
    func bytes(_ range: Range<Int>) throws(BinpkgError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: max(0, min(range.count, size - range.lowerBound)))
        let outcome = result.withUnsafeMutableBytes { buffer in
            Result { () throws(BinpkgError) in try read(at: range.lowerBound, into: buffer) }
        }
        return Array(result.prefix(try outcome.get()))
    }
}
