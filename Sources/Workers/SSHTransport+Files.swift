import Foundation

extension SSHTransport {
    /// Uploads over SFTP to a hidden temporary name beside `remotePath`, then, in one worker command, checks size
    /// and SHA-256 (`stat`, `sha256sum`) and `mv -f`s it into place (SFTP rename refuses an existing target).
    public func upload(_ localPath: String, to remotePath: String) async throws {
        guard FileManager.default.isReadableFile(atPath: localPath) else {
            throw FileTransferError(path: localPath, reason: "cannot read it (missing or unreadable)")
        }
        let directory = TransferPaths.parent(of: remotePath)
        let temporary = TransferPaths.temporary(besides: remotePath)
        try await shell("mkdir -p -- \(q(directory))", failure: "cannot create the directory", path: directory)
        do {
            let sent: TransferOutcome = try await connection.perform {
                .transfer(TransferRequest(direction: .upload, localPath: localPath, remotePath: temporary, reply: $0))
            }
            let script = """
                t=\(q(temporary)); s=$(stat -c %s -- "$t") && h=$(sha256sum < "$t") || exit 2; h=${h%% *}
                if [ "$s" = \(sent.size) ] && [ "$h" = \(sent.sha256) ]; then exec mv -f -- "$t" \(q(remotePath)); fi
                echo "$s bytes, sha256 $h"; exit 3
                """
            let outcome = try await exec(script, mode: .capture(limit: 4096))
            if outcome.result.termination == .exited(3) {
                throw SSHError.verificationFailed(endpoint: endpoint, path: remotePath, reason:
                    "sent \(sent.size) bytes with sha256 \(sent.sha256), the worker has \(outcome.stdout.trimmed)")
            }
            try check(outcome, failure: "cannot verify and move it into place", path: remotePath)
        } catch {
            if !((error as? SSHError)?.isWorkerLost ?? false) {
                _ = try? await exec("rm -f -- \(q(temporary))", mode: .capture(limit: 0))
            }
            throw error
        }
    }

    /// Downloads over SFTP into a hidden temporary file beside `localPath`, hashing as it arrives, while the worker
    /// hashes its copy (`sha256sum`); renames into place only when size and SHA-256 match.
    public func download(_ remotePath: String, to localPath: String) async throws {
        let directory = TransferPaths.parent(of: localPath)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FileTransferError(path: directory, reason: "cannot create the directory: \(error.localizedDescription)")
        }
        let temporary = TransferPaths.temporary(besides: localPath)
        do {
            let script = "f=\(q(remotePath)); s=$(stat -c %s -- \"$f\") && h=$(sha256sum < \"$f\") && echo \"$s ${h%% *}\""
            async let hashed = exec(script, mode: .capture(limit: 4096))
            let received: TransferOutcome = try await connection.perform {
                .transfer(TransferRequest(direction: .download, localPath: temporary, remotePath: remotePath, reply: $0))
            }
            let remote = try await hashed
            try check(remote, failure: "cannot hash it on the worker", path: remotePath)
            let expected = "\(received.size) \(received.sha256)"
            guard remote.stdout.trimmed == expected else {
                throw SSHError.verificationFailed(endpoint: endpoint, path: remotePath, reason:
                    "received \(expected.replacingOccurrences(of: " ", with: " bytes, sha256 ")); the worker has "
                    + remote.stdout.trimmed.replacingOccurrences(of: " ", with: " bytes, sha256 "))
            }
            guard rename(temporary, localPath) == 0 else { throw FileTransferError(path: localPath, action: "rename into place", errno: errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    private func shell(_ line: String, failure: String, path: String) async throws {
        try check(try await exec(line, mode: .capture(limit: 4096)), failure: failure, path: path)
    }

    private func check(_ outcome: ExecOutcome, failure: String, path: String) throws {
        guard !outcome.result.termination.succeeded else { return }
        let detail = outcome.result.tail.suffix(3).joined(separator: " / ")
        throw SSHError.sftpFailed(endpoint: endpoint, path: path,
                                  reason: "\(failure) (\(outcome.result.termination)\(detail.isEmpty ? "" : ": \(detail)"))")
    }

    private func q(_ path: String) -> String { RemoteCommandLine.quote(path) }
}

extension String {
    var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
}
