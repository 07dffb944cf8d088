/// Runs async work one at a time per key, in the order it was submitted (a per-key mutex for actors,
/// whose methods interleave at every `await`).
actor SerialQueue {
    private var tails: [String: Task<Void, Never>] = [:]

    /// Runs `body` after every earlier body submitted under `key` has finished.
    func run<T: Sendable>(_ key: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let previous = tails[key]
        let task = Task<T, Error> {
            await previous?.value
            return try await body()
        }
        tails[key] = Task { _ = await task.result }
        return try await task.value
    }
}
