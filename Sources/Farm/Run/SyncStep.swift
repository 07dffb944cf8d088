import Foundation
import Workers

/// Step 3 of a run (nightly only): `[farm] sync`, before anything is pinned or planned.
extension Farm {
    /// Runs `[farm] sync` with /bin/sh in workers.conf's directory; its output goes to `<logs>/sync-<run>.log`.
    func runSync(_ command: String, run: Int64) async throws -> SyncResult {
        let log = settings.logs.appendingPathComponent("sync-\(run).log").path
        try FileManager.default.createDirectory(atPath: settings.logs.path, withIntermediateDirectories: true)
        let started = Date()
        var shell = Command("/bin/sh", ["-c", command])
        shell.workingDirectory = settings.directory.path
        let result = try await LocalTransport().run(shell, logPath: log, onLine: { _ in })
        return SyncResult(command: command, succeeded: result.termination.succeeded,
                          seconds: Date().timeIntervalSince(started), log: log)
    }
}
