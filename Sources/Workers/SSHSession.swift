import CLibSSH2
import Foundation

/// What a caller asks of a session thread.
enum SessionRequest: Sendable {
    /// Resumes once the session is connected (or throws why it is not).
    case connect(CheckedContinuation<Void, any Error>)
    case exec(ExecRequest)
    case transfer(TransferRequest)
}

/// One SSH session to one worker and the thread that owns it.
///
/// Every libssh2 call for the session happens on that thread, in an event loop: poll(2) on the socket (in the
/// directions libssh2 waits for) and on a wake-up pipe that new requests write to. Operations are non-blocking step
/// machines; many execs and one SFTP transfer at a time share the session. The session connects on its first
/// request; when it breaks (socket error, close, or `deadAfter` of silence while operations are pending), every
/// pending operation fails with `SSHError.workerLost`, the thread ends, and the next request gets a new session.
final class SSHSession: @unchecked Sendable {
    let target: SSHTarget
    private let lock = NSLock()
    private var inbox: [SessionRequest] = []
    private var accepting = true
    private var closeRequested = false
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init(target: SSHTarget) {
        self.target = target
        _ = SSHConnector.libraryReady
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFL, O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
        let thread = Thread { [self] in SessionLoop(session: self).run() }
        thread.name = "farmctl-ssh \(target.endpoint)"
        thread.start()
    }

    /// The wake-up pipe lives as long as this object: `close()` may still write to it after the loop ended, and a
    /// closed descriptor number could by then belong to another session's socket.
    deinit {
        closeDescriptor(wakeRead)
        closeDescriptor(wakeWrite)
    }

    /// True until the session has ended (it never reopens).
    var isOpen: Bool { lock.withLock { accepting } }

    /// Queues `request`; false when the session has ended (the request was not taken).
    func submit(_ request: SessionRequest) -> Bool {
        let taken = lock.withLock {
            guard accepting else { return false }
            inbox.append(request)
            return true
        }
        if taken { wake() }
        return taken
    }

    /// Ends the session: pending operations fail, the worker gets a disconnect message.
    func close() {
        lock.withLock { closeRequested = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: For the loop (session thread)

    var wakeDescriptor: Int32 { wakeRead }

    /// New requests, and whether a close was asked for.
    func take() -> (requests: [SessionRequest], closing: Bool) {
        var drain = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &drain, drain.count) > 0 {}
        return lock.withLock {
            defer { inbox.removeAll() }
            return (inbox, closeRequested)
        }
    }

    /// Stops taking requests and returns the ones that never started.
    func stopAccepting() -> [SessionRequest] {
        lock.withLock {
            accepting = false
            defer { inbox.removeAll() }
            return inbox
        }
    }
}

extension SessionRequest {
    /// Fails the request before it started.
    func fail(_ error: any Error) {
        switch self {
        case .connect(let reply): reply.resume(throwing: error)
        case .exec(let request): request.reply.resume(throwing: error)
        case .transfer(let request): request.reply.resume(throwing: error)
        }
    }
}
