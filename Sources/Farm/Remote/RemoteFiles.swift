import Foundation
import Workers

/// Small shell conversations with a worker: listings, digests, directory housekeeping.
extension WorkerTransport {
    /// The SHA-512 of each existing file among `paths` on the worker (missing files are absent).
    func sha512(_ paths: [String]) async throws -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        let quoted = paths.map(Command.shellQuoted).joined(separator: " ")
        let output = try await shell("for f in \(quoted); do [ -f \"$f\" ] && sha512sum \"$f\"; done; true")
        var result: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { continue }
            result[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0])
        }
        return result
    }
}
