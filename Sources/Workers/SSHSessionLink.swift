import CLibSSH2
import Foundation

/// One connected libssh2 session as its operations see it. Lives on the session's thread only.
final class SessionLink {
    /// The libssh2 session (non-blocking mode).
    let session: OpaquePointer
    /// Its TCP socket (non-blocking).
    let socket: Int32
    let endpoint: String
    /// Held by the one operation that is opening a channel: libssh2 keeps that state per session, not per channel.
    var openerBusy = false
    /// The session's SFTP channel, opened by the first transfer.
    var sftp: OpaquePointer?
    /// Set when the session broke: every pending operation then fails with it.
    private(set) var lost: SSHError?
    /// Scratch buffer for channel reads (consumed before the read call returns).
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(session: OpaquePointer, socket: Int32, endpoint: String) {
        self.session = session
        self.socket = socket
        self.endpoint = endpoint
    }

    deinit { readBuffer.deallocate() }

    /// True while libssh2 holds a partly sent packet: only the call that started it may run until it is sent.
    var sendPending: Bool { libssh2_session_block_directions(session) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 }

    /// The code of the last failed call (for calls that return a pointer).
    var lastErrno: Int32 { libssh2_session_last_errno(session) }

    /// libssh2's message for the last error.
    var lastMessage: String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &message, &length, 0)
        return message.map { String(cString: $0) } ?? "unknown libssh2 error"
    }

    /// The error for a failed libssh2 call while `doing` something; a socket-level failure marks the session lost.
    func failure(_ code: Int32, doing: String) -> SSHError {
        if Self.sessionFatal.contains(code) {
            return markLost("\(doing): \(lastMessage)")
        }
        return .channelFailed(endpoint: endpoint, reason: "\(doing): \(lastMessage) (libssh2 error \(code))")
    }

    /// Marks the whole session lost (the first reason wins) and returns the error pending operations get.
    @discardableResult
    func markLost(_ reason: String) -> SSHError {
        if let lost { return lost }
        let error = SSHError.workerLost(endpoint: endpoint, reason: reason)
        lost = error
        return error
    }

    /// libssh2 errors after which the session is unusable.
    static let sessionFatal: Set<Int32> = [
        LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_BANNER_RECV, LIBSSH2_ERROR_BANNER_SEND, LIBSSH2_ERROR_INVALID_MAC,
        LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_KEY_EXCHANGE_FAILURE, LIBSSH2_ERROR_TIMEOUT,
        LIBSSH2_ERROR_DECRYPT, LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_SOCKET_TIMEOUT,
        LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_ENCRYPT, LIBSSH2_ERROR_BAD_SOCKET, LIBSSH2_ERROR_OUT_OF_BOUNDARY,
    ]
}

/// What one step of an operation achieved.
enum StepResult {
    /// Something moved (bytes, a state change): step everything again before waiting.
    case progressed
    /// Waiting for the socket (or for a session-wide resource another operation holds).
    case blocked
    /// Done; its continuation has been resumed.
    case finished
}

/// A non-blocking step machine on a session thread: an exec channel or an SFTP transfer.
protocol SessionOperation: AnyObject {
    /// Advances as far as it can without blocking.
    func step(_ link: SessionLink) -> StepResult
    /// Ends the operation with `error` without touching libssh2 (the session is being torn down).
    func fail(_ error: any Error)
    /// True once the worker may have acted on it (a command was sent, a file is being written or read).
    var started: Bool { get }
}

/// A request that never reached the worker because its session closed first: safe to retry on a new session.
struct SessionGone: Error {}

/// close(2), callable from types that have a `close()` of their own.
func closeDescriptor(_ fd: Int32) { _ = close(fd) }
