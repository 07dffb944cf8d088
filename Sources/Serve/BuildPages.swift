import Farm
import FarmModel
import Foundation
import Hummingbird
import Workers

/// A build's page (its record and its log, followed live while it runs) and the log as text or as Server-Sent Events.
extension FarmPages {
    static func build(_ build: BuildListing, running: Bool, logTail: String) -> String {
        let id = build.id.map(String.init) ?? "?"
        var rows: [(String, Cell)] = [
            ("class", .link(build.class, href: "/classes/\(build.class)")), ("package", .text(build.cpv)), ("worker", .text(build.worker)),
            ("status", .text(build.status)), ("started", .text(iso(build.started))),
            ("took", .text(build.finished.map { seconds($0.timeIntervalSince(build.started)) } ?? "running")),
        ]
        if let exit = build.exitStatus { rows.append(("exit status", .text("\(exit)"))) }
        if let signal = build.signal { rows.append(("signal", .text("\(signal)"))) }
        for (name, value) in [("CHOST", build.chost), ("CFLAGS", build.cflags), ("USE", build.use), ("binpkg", build.binpkgPath), ("SHA-256", build.sha256)] {
            if let value { rows.append((name, .text(value))) }
        }
        rows.append(("log", .link("whole log", href: "/builds/\(id)/log")))
        // While it runs, a little script follows the log over Server-Sent Events and reloads when the build ends.
        let follow = running ? """
            <script>
            var log=document.getElementById('log'),lines=0;log.textContent='';
            var source=new EventSource('/builds/\(id)/log/stream');
            source.onmessage=function(e){log.textContent+=e.data+'\\n';log.dataset.lines=++lines;log.scrollTop=log.scrollHeight};
            source.addEventListener('end',function(){source.close();location.reload()});
            </script>
            """ : ""
        return page(title: "build \(id)", body: "<h1>build \(id)</h1>\n" + facts(rows, id: "build")
                    + "<h2>log\(running ? " (live)" : ", last lines")</h2>\n<pre id=\"log\">\(escape(logTail))</pre>\n" + follow)
    }
}

/// Reading a build's log: only files inside the farm's logs directory (symlinks resolved), never elsewhere.
enum BuildLog {
    /// The log's real path when it lies inside `logs`; nil otherwise or when it does not exist.
    static func confined(_ path: String, logs: String) -> String? { BinhostPath.confined(path, inside: logs) }

    /// The last `bytes` of the file, from a line start.
    static func tail(_ path: String, bytes: Int = 32 << 10) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > UInt64(bytes) ? size - UInt64(bytes) : 0
        try? handle.seek(toOffset: start)
        let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
        return start > 0 ? String(text.drop { $0 != "\n" }.dropFirst()) : text
    }

    /// Bytes of the file from `offset` (at most `limit`).
    static func chunk(_ path: String, from offset: UInt64, limit: Int = 64 << 10) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else { return Data() }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        return (try? handle.read(upToCount: limit)) ?? Data()
    }

    /// Server-Sent Events of the log: every line there is, then each new line as the build writes it (checked twice a
    /// second), then an `end` event with the build's status once it no longer runs. A client that goes away ends it.
    static func stream(path: String, stillRunning: @escaping @Sendable () throws -> String?) -> ResponseBody {
        ResponseBody { writer in
            var offset: UInt64 = 0
            var partial = Data()
            while true {
                let from = offset
                let data = try await onOwnThread(named: "farmctl-serve-log") { BuildLog.chunk(path, from: from) }
                if !data.isEmpty {
                    offset += UInt64(data.count)
                    partial.append(data)
                    var events = ""
                    while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
                        events += "data: " + String(decoding: partial[partial.startIndex..<newline], as: UTF8.self).replacingOccurrences(of: "\r", with: "") + "\n\n"
                        partial.removeSubrange(partial.startIndex...newline)
                    }
                    if !events.isEmpty { try await writer.write(ByteBuffer(string: events)) }
                    continue
                }
                if let ended = try await onOwnThread(named: "farmctl-serve-log", stillRunning) {
                    if !partial.isEmpty { try await writer.write(ByteBuffer(string: "data: " + String(decoding: partial, as: UTF8.self) + "\n\n")) }
                    try await writer.write(ByteBuffer(string: "event: end\ndata: \(ended)\n\n"))
                    break
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            try await writer.finish(nil)
        }
    }
}
