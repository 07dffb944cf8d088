import Farm
import Foundation

/// The server-rendered pages: plain HTML tables, no script, every value escaped.
enum FarmPages {
    /// The farm: each class with its `current` generation, kernel, packages and ISA audit, and the last runs.
    static func farm(generations: [GenerationListing], runs: [RunReport]) -> String {
        let current = generations.filter(\.current)
        let classes = Set(generations.map(\.class)).sorted()
        var rows = classes.map { name -> [String] in
            guard let generation = current.first(where: { $0.class == name }) else { return [name, "none published", "", "", ""] }
            return [name, "\(generation.number)", generation.kernel ?? "—", "\(generation.packages)", generation.isaAudit ?? "—"]
        }
        if rows.isEmpty { rows = [["no class has a generation yet (run `farmctl build`)", "", "", "", ""]] }
        let runRows = runs.map { run in
            ["\(run.id)", run.command, run.classes.joined(separator: " "), iso(run.started),
             run.finished.map { String(format: "%.0f s", $0.timeIntervalSince(run.started)) } ?? "running", run.status.rawValue]
        }
        return page(title: "farmctl", body: """
            <h1>farm</h1>
            <h2>classes</h2>
            \(table(["class", "current generation", "kernel", "packages", "ISA audit"], rows, id: "classes"))
            <h2>runs</h2>
            \(table(["run", "command", "classes", "started", "took", "status"], runRows, id: "runs"))
            <p><a href="/api/roots">/api/roots</a> · <a href="/api/runs">/api/runs</a> · <a href="/metrics">/metrics</a></p>
            """)
    }

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}</style>
        </head><body>
        \(body)
        </body></html>
        """
    }

    static func table(_ header: [String], _ rows: [[String]], id: String) -> String {
        let head = header.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table id=\"\(escape(id))\"><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// HTML-escaped text (`&`, `<`, `>`, `"`, `'`).
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
