import Foundation

/// Runs blocking work (file copies, decoding a root) on a thread of its own, never on the cooperative pool, and
/// awaits its result.
public func onOwnThread<T: Sendable>(named name: String = "farmctl-blocking", _ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let thread = Thread {
            do {
                continuation.resume(returning: try work())
            } catch {
                continuation.resume(throwing: error)
            }
        }
        thread.name = name
        thread.start()
    }
}
