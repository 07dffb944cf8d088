import CLibSSH2
import Digests
import Foundation

/// What an SFTP transfer request sends to the session thread: one file copied between two paths as given.
struct TransferRequest: Sendable {
    enum Direction: Sendable { case upload, download }
    var direction: Direction
    /// The coordinator file: read for an upload; created (must not exist) for a download.
    var localPath: String
    /// The worker file: created or truncated for an upload; read for a download.
    var remotePath: String
    var reply: CheckedContinuation<TransferOutcome, any Error>
}

/// The size and SHA-256 of the bytes that went through the channel.
struct TransferOutcome: Sendable, Equatable {
    var size: Int64
    var sha256: String
}

/// One SFTP file transfer: open the SFTP channel if needed, open the remote file, stream (hashing as it goes),
/// close. Transfers on a session run one at a time (libssh2 keeps SFTP open/close state per SFTP channel).
final class TransferOperation: SessionOperation {
    private enum State {
        case start
        case startingSFTP
        case opening
        case moving(OpaquePointer)
        case closing(OpaquePointer, Result<TransferOutcome, any Error>)
    }

    private var state = State.start
    private let request: TransferRequest
    private var file: Int32 = -1
    private var mode: Int = 0o644
    private let digest = DigestStream.sha256()
    private var size: Int64 = 0
    private var endOfFile = false
    private var replied = false
    private var holdsOpener = false
    /// Upload: bytes [start, end) read from the file and not yet acknowledged by the worker. Download: scratch.
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 << 20, alignment: 16)
    private var start = 0
    private var end = 0

    init(_ request: TransferRequest) { self.request = request }

    deinit {
        buffer.deallocate()
        if file >= 0 { close(file) }
    }

    private var upload: Bool { request.direction == .upload }

    func step(_ link: SessionLink) -> StepResult {
        switch state {
        case .start:
            if let error = openLocalFile() { return reply(.failure(error)) }
            state = link.sftp == nil ? .startingSFTP : .opening
            return .progressed
        case .startingSFTP:
            return startSFTP(link)
        case .opening:
            let flags = upload ? UInt(LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC) : UInt(LIBSSH2_FXF_READ)
            let handle = request.remotePath.withCString {
                farm_ssh2_sftp_open(link.sftp, $0, UInt32(strlen($0)), flags, upload ? mode : 0)
            }
            guard let handle else {
                let code = link.lastErrno
                if code == LIBSSH2_ERROR_EAGAIN { return .blocked }
                return reply(.failure(sftpError(link, code, doing: upload ? "cannot create the file" : "cannot open the file")))
            }
            state = .moving(handle)
            return .progressed
        case .moving(let handle):
            return upload ? push(handle, link) : pull(handle, link)
        case .closing(let handle, let result):
            if libssh2_sftp_close_handle(handle) == LIBSSH2_ERROR_EAGAIN { return .blocked }
            return reply(result)
        }
    }

    private func openLocalFile() -> FileTransferError? {
        if upload {
            file = open(request.localPath, O_RDONLY | O_CLOEXEC)
            var info = stat()
            if file >= 0, fstat(file, &info) == 0 { mode = Int(info.st_mode & 0o777) }
        } else {
            file = open(request.localPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard file < 0 else { return nil }
        return FileTransferError(path: request.localPath, action: upload ? "read" : "create", errno: errno)
    }

    private func startSFTP(_ link: SessionLink) -> StepResult {
        if link.sftp != nil {
            state = .opening
            return .progressed
        }
        if !holdsOpener {
            guard !link.openerBusy else { return .blocked }
            link.openerBusy = true // libssh2_sftp_init opens a channel: held until it is open
            holdsOpener = true
        }
        let sftp = libssh2_sftp_init(link.session)
        let code = link.lastErrno
        if sftp == nil, code == LIBSSH2_ERROR_EAGAIN { return .blocked }
        link.openerBusy = false
        holdsOpener = false
        guard let sftp else { return reply(.failure(sftpError(link, code, doing: "cannot start SFTP"))) }
        link.sftp = sftp
        state = .opening
        return .progressed
    }

    /// Upload: keeps up to 4 MiB read ahead and in flight; libssh2 pipelines it and reports acknowledged bytes.
    private func push(_ handle: OpaquePointer, _ link: SessionLink) -> StepResult {
        var moved = false
        while true {
            if !endOfFile, end < buffer.count {
                if start > buffer.count / 2 {
                    // Unacknowledged bytes move to the front: libssh2 only needs them at the same offsets from the pointer.
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                    end -= start
                    start = 0
                }
                let count = read(file, buffer.baseAddress! + end, buffer.count - end)
                if count < 0 {
                    state = .closing(handle, .failure(FileTransferError(path: request.localPath, action: "read", errno: errno)))
                    return .progressed
                }
                if count == 0 { endOfFile = true }
                FileSHA256.update(digest, UnsafeRawBufferPointer(rebasing: buffer[end..<(end + count)]))
                size += Int64(count)
                end += count
            }
            if start == end, endOfFile {
                state = .closing(handle, .success(TransferOutcome(size: size, sha256: FileSHA256.finish(digest))))
                return .progressed
            }
            let sent = libssh2_sftp_write(handle, (buffer.baseAddress! + start).assumingMemoryBound(to: CChar.self), end - start)
            if sent == Int(LIBSSH2_ERROR_EAGAIN) { return moved ? .progressed : .blocked }
            if sent < 0 {
                state = .closing(handle, .failure(sftpError(link, Int32(sent), doing: "cannot write")))
                return .progressed
            }
            start += sent
            if start == end { start = 0; end = 0 }
            moved = true
            if link.sendPending { return .progressed }
        }
    }

    /// Download: reads into the buffer and appends to the local file, hashing, until EOF.
    private func pull(_ handle: OpaquePointer, _ link: SessionLink) -> StepResult {
        var moved = false
        while true {
            let count = libssh2_sftp_read(handle, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), 1 << 20)
            if count == Int(LIBSSH2_ERROR_EAGAIN) { return moved ? .progressed : .blocked }
            if count < 0 {
                state = .closing(handle, .failure(sftpError(link, Int32(count), doing: "cannot read")))
                return .progressed
            }
            if count == 0 {
                state = .closing(handle, .success(TransferOutcome(size: size, sha256: FileSHA256.finish(digest))))
                return .progressed
            }
            var done = 0
            while done < count {
                let wrote = write(file, buffer.baseAddress! + done, count - done)
                if wrote < 0, errno == EINTR { continue }
                guard wrote > 0 else {
                    state = .closing(handle, .failure(FileTransferError(path: request.localPath, action: "write", errno: errno)))
                    return .progressed
                }
                done += wrote
            }
            FileSHA256.update(digest, UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += Int64(count)
            moved = true
            if link.sendPending { return .progressed }
        }
    }

    private func sftpError(_ link: SessionLink, _ code: Int32, doing: String) -> SSHError {
        guard code == LIBSSH2_ERROR_SFTP_PROTOCOL, let sftp = link.sftp else {
            let error = link.failure(code, doing: "SFTP on \(request.remotePath)")
            if case .channelFailed(_, let reason) = error {
                return .sftpFailed(endpoint: link.endpoint, path: request.remotePath, reason: "\(doing): \(reason)")
            }
            return error
        }
        let status = libssh2_sftp_last_error(sftp)
        return .sftpFailed(endpoint: link.endpoint, path: request.remotePath, reason: "\(doing): \(Self.describe(status))")
    }

    static func describe(_ status: UInt) -> String {
        switch status {
        case 2: "no such file"
        case 3: "permission denied"
        case 4: "the worker's SFTP server reported a failure (for a write, often a full disk)"
        case 10: "no such path"
        case 11: "the file already exists"
        case 12: "write-protected"
        case 14: "no space left on the worker's file system"
        case 15: "quota exceeded"
        case 19: "not a directory"
        default: "SFTP status \(status)"
        }
    }

    private func reply(_ result: Result<TransferOutcome, any Error>) -> StepResult {
        finish(result)
        return .finished
    }

    func fail(_ error: any Error) { finish(.failure(error)) }

    var started: Bool {
        switch state {
        case .moving, .closing: true
        default: false
        }
    }

    private func finish(_ result: Result<TransferOutcome, any Error>) {
        guard !replied else { return }
        replied = true
        if file >= 0 { close(file); file = -1 }
        request.reply.resume(with: result)
    }
}
