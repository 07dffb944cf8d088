import CLibSSH2
import Foundation

/// The event loop of one session thread (see `SSHSession`). Everything here stays on that thread.
final class SessionLoop {
    private let session: SSHSession
    private var target: SSHTarget { session.target }
    private var link: SessionLink?
    private var execs: [SessionOperation] = []
    /// SFTP transfers: only the first runs.
    private var transfers: [SessionOperation] = []
    private var connectWaiters: [CheckedContinuation<Void, any Error>] = []
    /// The operation whose packet libssh2 has partly sent: it alone may call libssh2 until the packet is out.
    private var owner: SessionOperation?
    private var lastHeard = ContinuousClock.now
    private var wasBusy = false
    private var hangup = false
    private var keepaliveMilliseconds: Int32 = 1000

    init(session: SSHSession) { self.session = session }

    private var busy: Bool { !execs.isEmpty || !transfers.isEmpty }

    func run() {
        while true {
            let (requests, closing) = session.take()
            requests.forEach(accept)
            if closing {
                end(SSHError.workerLost(endpoint: target.endpoint, reason: "farmctl closed the session"), graceful: true)
                return
            }
            if link == nil, busy || !connectWaiters.isEmpty {
                do {
                    link = try SSHConnector(target: target).connect()
                } catch {
                    end(error, leftoversGet: error)
                    return
                }
                connectWaiters.forEach { $0.resume() }
                connectWaiters.removeAll()
            }
            guard let link else {
                waitForWake()
                continue
            }
            let progressed = stepOperations(link)
            if hangup, !progressed, busy { link.markLost("the worker closed the connection") }
            if link.lost == nil { sendKeepalive(link) }
            if let lost = link.lost {
                end(lost)
                return
            }
            wait(link)
        }
    }

    private func accept(_ request: SessionRequest) {
        switch request {
        case .connect(let reply):
            if link == nil { connectWaiters.append(reply) } else { reply.resume() }
        case .exec(let exec):
            execs.append(ExecOperation(exec))
        case .transfer(let transfer):
            transfers.append(TransferOperation(transfer))
        }
    }

    /// Steps operations until none can move without waiting; true if any moved.
    private func stepOperations(_ link: SessionLink) -> Bool {
        var progressed = false
        var again = true
        while again, link.lost == nil {
            again = false
            let runnable: [SessionOperation] = owner.map { [$0] } ?? (execs + transfers.prefix(1))
            for operation in runnable {
                let result = operation.step(link)
                if link.lost != nil { return progressed }
                if link.sendPending { owner = operation } else if owner === operation { owner = nil }
                switch result {
                case .finished:
                    execs.removeAll { $0 === operation }
                    transfers.removeAll { $0 === operation }
                    if owner === operation { owner = nil }
                    again = true
                    progressed = true
                case .progressed:
                    again = true
                    progressed = true
                case .blocked:
                    break
                }
                if owner != nil { break }
            }
        }
        return progressed
    }

    /// Keepalives make a live worker answer during silent commands. Sent only with nothing queued on the socket,
    /// so the small packet always goes out whole (libssh2 1.10 would let another call finish a partial one).
    private func sendKeepalive(_ link: SessionLink) {
        keepaliveMilliseconds = 1000
        guard busy, owner == nil, !link.sendPending, farm_socket_unsent_bytes(link.socket) == 0 else { return }
        var next: Int32 = 0
        let code = libssh2_keepalive_send(link.session, &next)
        if code != 0, code != LIBSSH2_ERROR_EAGAIN {
            _ = link.failure(code, doing: "sending a keepalive")
            return
        }
        keepaliveMilliseconds = max(1, next) * 1000
    }

    /// Polls the socket and the wake-up pipe; updates when the worker was last heard and the watchdog.
    private func wait(_ link: SessionLink) {
        if busy, !wasBusy { lastHeard = .now }
        wasBusy = busy
        let rdhup = farm_poll_rdhup()
        var socketEvents = rdhup
        if busy { socketEvents |= Int16(owner == nil ? POLLIN : POLLOUT) }
        var fds = [pollfd(fd: session.wakeDescriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: link.socket, events: socketEvents, revents: 0)]
        var timeout: Int32 = -1
        if busy {
            let silenceLeft = target.deadAfter - (ContinuousClock.now - lastHeard)
            timeout = max(0, min(silenceLeft.pollMilliseconds, keepaliveMilliseconds))
        }
        if poll(&fds, 2, timeout) < 0, errno != EINTR {
            link.markLost("poll failed: \(String(cString: strerror(errno)))")
            return
        }
        let revents = fds[1].revents
        if revents & Int16(POLLIN | POLLOUT) != 0 { lastHeard = .now }
        hangup = revents & (Int16(POLLHUP | POLLERR) | rdhup) != 0
        if hangup, !busy { link.markLost("the worker closed the connection") }
        if busy, ContinuousClock.now - lastHeard >= target.deadAfter {
            link.markLost("no answer for \(SSHError.format(target.deadAfter.seconds)) s (the worker is down or cut off)")
        }
    }

    private func waitForWake() {
        var fd = pollfd(fd: session.wakeDescriptor, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, -1)
    }

    /// Fails everything pending with `error` and frees the session. On an established session, operations that had
    /// not reached the worker and requests not yet taken get `SessionGone`, so the transport retries them on a new
    /// session (the connection may have died while idle); after a failed connect they all get `error`.
    private func end(_ error: any Error, leftoversGet: (any Error)? = nil, graceful: Bool = false) {
        for operation in execs + transfers {
            operation.fail(link != nil && !operation.started ? SessionGone() : error)
        }
        execs.removeAll()
        transfers.removeAll()
        connectWaiters.forEach { $0.resume(throwing: error) }
        connectWaiters.removeAll()
        for request in session.stopAccepting() { request.fail(leftoversGet ?? SessionGone()) }
        guard let link else { return }
        if graceful, link.lost == nil {
            SSHSessionTeardown.goodbye(session: link.session, socket: link.socket, sftp: link.sftp)
        } else {
            SSHSessionTeardown.abandon(session: link.session, socket: link.socket, sftp: link.sftp)
        }
        self.link = nil
    }
}
