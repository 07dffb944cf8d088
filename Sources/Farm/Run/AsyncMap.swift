/// `map` for async transforms, kept in order (the run's steps read repositories one after another).
extension Array where Element: Sendable {
    /// `map` with an async transform, in order, one at a time.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
