import CLibSSH2
import Foundation

/// Opens one session to a worker on the calling (session) thread: TCP connect, handshake, strict host-key check,
/// public-key authentication; all non-blocking with poll(2), within `connectTimeout` altogether.
struct SSHConnector {
    let target: SSHTarget
    private let deadline: ContinuousClock.Instant

    init(target: SSHTarget) {
        self.target = target
        deadline = .now + target.connectTimeout
    }

    /// libssh2_init, once per process, before any session thread starts.
    static let libraryReady: Bool = libssh2_init(0) == 0

    func connect() throws(SSHError) -> SessionLink {
        let socket = try openSocket()
        guard Self.libraryReady, let session = farm_ssh2_session_init() else {
            close(socket)
            throw .connectFailed(endpoint: target.endpoint, reason: "libssh2 could not start a session")
        }
        do {
            libssh2_session_set_blocking(session, 0)
            try handshake(session, socket)
            try SSHAuthenticator(target: target, wait: { () throws(SSHError) in try wait(session, socket, "authenticating") })
                .authenticate(session)
            let interval = UInt32(max(2, target.keepaliveInterval.seconds.rounded(.up)))
            libssh2_keepalive_config(session, 1, interval)
            return SessionLink(session: session, socket: socket, endpoint: target.endpoint)
        } catch {
            SSHSessionTeardown.abandon(session: session, socket: socket)
            throw error
        }
    }

    private func handshake(_ session: OpaquePointer, _ socket: Int32) throws(SSHError) {
        guard let hostKeys = SSHHostKeys(session: session, target: target) else {
            throw .connectFailed(endpoint: target.endpoint, reason: "libssh2 could not read known_hosts")
        }
        defer { hostKeys.free() }
        _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, hostKeys.methodPreference)
        while true {
            let code = libssh2_session_handshake(session, libssh2_socket_t(socket))
            if code == 0 { break }
            guard code == LIBSSH2_ERROR_EAGAIN else {
                throw .connectFailed(endpoint: target.endpoint, reason: "SSH handshake failed: \(Self.message(session))")
            }
            try wait(session, socket, "exchanging keys")
        }
        try hostKeys.verify(session: session)
    }

    /// Resolves the host and connects a non-blocking TCP socket (TCP_NODELAY: commands are small round trips).
    private func openSocket() throws(SSHError) -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(target.host, String(target.port), &hints, &list)
        guard status == 0, let list else {
            throw .connectFailed(endpoint: target.endpoint, reason: "cannot resolve \(target.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var reason = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let info = entry?.pointee {
            entry = info.ai_next
            let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(fd, info.ai_addr, info.ai_addrlen) == 0 { return fd }
            var code = errno
            if code == EINPROGRESS {
                var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&pollfd, 1, remainingMilliseconds)
                if ready == 0 {
                    close(fd)
                    throw .timedOut(endpoint: target.endpoint, phase: "connecting", seconds: target.connectTimeout.seconds)
                }
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                if code == 0 { return fd }
            }
            reason = String(cString: strerror(code))
            close(fd)
        }
        throw .connectFailed(endpoint: target.endpoint, reason: reason)
    }

    /// Waits until the socket is ready in the direction libssh2 is blocked on, or throws at the deadline.
    func wait(_ session: OpaquePointer, _ socket: Int32, _ phase: String) throws(SSHError) {
        let directions = libssh2_session_block_directions(session)
        var events: Int16 = 0
        if directions & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        var pollfd = Glibc.pollfd(fd: socket, events: events == 0 ? Int16(POLLIN) : events, revents: 0)
        let milliseconds = remainingMilliseconds
        if milliseconds <= 0 || poll(&pollfd, 1, milliseconds) == 0 {
            throw .timedOut(endpoint: target.endpoint, phase: phase, seconds: target.connectTimeout.seconds)
        }
    }

    private var remainingMilliseconds: Int32 { max(0, (deadline - .now).pollMilliseconds) }

    static func message(_ session: OpaquePointer) -> String {
        var message: UnsafeMutablePointer<CChar>?
        var length: Int32 = 0
        libssh2_session_last_error(session, &message, &length, 0)
        return message.map { String(cString: $0) } ?? "unknown error"
    }
}

/// Frees sessions on the session thread.
enum SSHSessionTeardown {
    /// For a broken or unwanted session: no goodbye, the socket is shut first so nothing can block.
    static func abandon(session: OpaquePointer, socket: Int32, sftp: OpaquePointer? = nil) {
        shutdown(socket, Int32(SHUT_RDWR))
        if let sftp {
            for _ in 0..<100 where libssh2_sftp_shutdown(sftp) != LIBSSH2_ERROR_EAGAIN { break }
        }
        for _ in 0..<100 where libssh2_session_free(session) != LIBSSH2_ERROR_EAGAIN { break }
        close(socket)
    }

    /// For a healthy session: closes SFTP, says goodbye, frees (each step bounded to about a second).
    static func goodbye(session: OpaquePointer, socket: Int32, sftp: OpaquePointer?) {
        func settle(_ call: () -> Int32) {
            for _ in 0..<20 {
                guard call() == LIBSSH2_ERROR_EAGAIN else { return }
                var pollfd = Glibc.pollfd(fd: socket, events: Int16(POLLIN | POLLOUT), revents: 0)
                _ = poll(&pollfd, 1, 50)
            }
        }
        if let sftp { settle { libssh2_sftp_shutdown(sftp) } }
        settle { libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "farmctl closed the session", "") }
        abandon(session: session, socket: socket)
    }
}
