import CLibSSH2
import Foundation

/// What an exec request sends to the session thread.
struct ExecRequest: Sendable {
    /// The line the worker's shell runs.
    var commandLine: String
    var mode: OutputMode
    var tailLines: Int
    var reply: CheckedContinuation<ExecOutcome, any Error>
}

/// How an exec ended and what it printed.
struct ExecOutcome: Sendable {
    var result: CommandResult
    /// Captured stdout (capture mode only).
    var stdout: String
}

/// One command on its own channel: open → exec → read stdout and stderr to EOF → close → exit status → free.
final class ExecOperation: SessionOperation {
    private enum State {
        case waitingToOpen
        case opening
        case starting(OpaquePointer)
        case reading(OpaquePointer)
        case closing(OpaquePointer)
        case waitingClosed(OpaquePointer)
        case freeing(OpaquePointer, Result<Termination, SSHError>)
    }

    private var state = State.waitingToOpen
    private let request: ExecRequest
    private let output: OutputCollector
    private var streamOpen = [true, true]
    private var replied = false

    init(_ request: ExecRequest) {
        self.request = request
        output = OutputCollector(mode: request.mode, tailLines: request.tailLines)
    }

    func step(_ link: SessionLink) -> StepResult {
        switch state {
        case .waitingToOpen:
            guard !link.openerBusy else { return .blocked }
            link.openerBusy = true
            state = .opening
            return .progressed
        case .opening:
            guard let channel = farm_ssh2_channel_open_session(link.session) else {
                let code = link.lastErrno
                if code == LIBSSH2_ERROR_EAGAIN { return .blocked }
                link.openerBusy = false
                return reply(.failure(link.failure(code, doing: "opening a channel")))
            }
            link.openerBusy = false
            state = .starting(channel)
            return .progressed
        case .starting(let channel):
            let code = request.commandLine.withCString { farm_ssh2_channel_exec(channel, $0, UInt32(strlen($0))) }
            if code == LIBSSH2_ERROR_EAGAIN { return .blocked }
            state = code < 0 ? .freeing(channel, .failure(link.failure(code, doing: "starting the command"))) : .reading(channel)
            return .progressed
        case .reading(let channel):
            return read(channel, link)
        case .closing(let channel):
            let code = libssh2_channel_close(channel)
            if code == LIBSSH2_ERROR_EAGAIN { return .blocked }
            state = code < 0 ? .freeing(channel, .failure(link.failure(code, doing: "closing the channel"))) : .waitingClosed(channel)
            return .progressed
        case .waitingClosed(let channel):
            let code = libssh2_channel_wait_closed(channel)
            if code == LIBSSH2_ERROR_EAGAIN { return .blocked }
            state = .freeing(channel, code < 0 ? .failure(link.failure(code, doing: "closing the channel"))
                                                : .success(Self.termination(channel, link.session)))
            return .progressed
        case .freeing(let channel, let result):
            if libssh2_channel_free(channel) == LIBSSH2_ERROR_EAGAIN { return .blocked }
            return reply(result)
        }
    }

    /// Reads both streams until neither has data (so a full stderr window never stalls stdout), or both hit EOF.
    private func read(_ channel: OpaquePointer, _ link: SessionLink) -> StepResult {
        var moved = false
        let buffer = link.readBuffer
        while true {
            var waiting = 0
            for stream in 0..<2 where streamOpen[stream] {
                let count = farm_ssh2_channel_read(channel, Int32(stream), buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
                if count > 0 {
                    output.append(stream: stream, UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    moved = true
                } else if count == 0 {
                    streamOpen[stream] = false
                    moved = true
                } else if count == Int(LIBSSH2_ERROR_EAGAIN) {
                    waiting += 1
                    if link.sendPending { return moved ? .progressed : .blocked }
                } else {
                    state = .freeing(channel, .failure(link.failure(Int32(count), doing: "reading output")))
                    return .progressed
                }
            }
            if !streamOpen[0] && !streamOpen[1] {
                state = .closing(channel)
                return .progressed
            }
            if waiting == streamOpen.count(where: { $0 }) { return moved ? .progressed : .blocked }
        }
    }

    /// The exit signal if the worker reported one (mapped to its Linux number), else the exit status.
    private static func termination(_ channel: OpaquePointer, _ session: OpaquePointer) -> Termination {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        libssh2_channel_get_exit_signal(channel, &name, &length, nil, nil, nil, nil)
        if let name {
            defer { libssh2_free(session, name) }
            return .signaled(SignalNames.number(String(cString: name)))
        }
        return .exited(libssh2_channel_get_exit_status(channel))
    }

    private func reply(_ result: Result<Termination, SSHError>) -> StepResult {
        switch result {
        case .success(let termination):
            let stdout = output.finish()
            finish(.success(ExecOutcome(result: CommandResult(termination: termination, tail: output.tail), stdout: stdout)))
        case .failure(let error):
            finish(.failure(error))
        }
        return .finished
    }

    func fail(_ error: any Error) { finish(.failure(error)) }

    var started: Bool {
        switch state {
        case .waitingToOpen, .opening: false
        default: true
        }
    }

    private func finish(_ result: Result<ExecOutcome, any Error>) {
        guard !replied else { return }
        replied = true
        request.reply.resume(with: result)
    }
}
