import Farm
import Foundation

/// The server-rendered pages' shared parts: the frame, tables, links; every value escaped.
enum FarmPages {
    /// One table cell: text, or a link to one of the server's own pages.
    enum Cell: ExpressibleByStringLiteral {
        case text(String)
        case link(String, href: String)
        init(stringLiteral value: String) { self = .text(value) }

        var html: String {
            switch self {
            case .text(let text): escape(text)
            case .link(let text, let href): "<a href=\"\(escape(href))\">\(escape(text))</a>"
            }
        }
    }

    /// The farm: each class with its `current` generation, kernel, packages and ISA audit, and the last runs.
    static func farm(generations: [GenerationListing], runs: [RunReport]) -> String {
        let current = generations.filter(\.current)
        let classes = Set(generations.map(\.class)).sorted()
        var rows = classes.map { name -> [Cell] in
            let link = Cell.link(name, href: "/classes/\(name)")
            guard let generation = current.first(where: { $0.class == name }) else { return [link, "none published", "", "", ""] }
            return [link, .link("\(generation.number)", href: "/classes/\(name)/\(generation.number)"), .text(generation.kernel ?? "—"),
                    .text("\(generation.packages)"), .text(generation.isaAudit ?? "—")]
        }
        if rows.isEmpty { rows = [["no class has a generation yet (run `farmctl build`)", "", "", "", ""]] }
        return page(title: "farmctl", body: """
            <h1>farm</h1>
            <h2>classes</h2>
            \(table(["class", "current generation", "kernel", "packages", "ISA audit"], rows, id: "classes"))
            <h2>runs</h2>
            \(runsTable(runs))
            """)
    }

    static func runsTable(_ runs: [RunReport]) -> String {
        table(["run", "command", "classes", "started", "took", "status"], runs.map { run in
            [.link("\(run.id)", href: "/runs/\(run.id)"), .text(run.command), .text(run.classes.joined(separator: " ")), .text(iso(run.started)),
             .text(run.finished.map { seconds($0.timeIntervalSince(run.started)) } ?? "running"), .text(run.status.rawValue)]
        }, id: "runs")
    }

    /// A page: the navigation, `body`, and (for a live page) a script that reloads it every few seconds.
    static func page(title: String, body: String, reloadEvery: Int? = nil) -> String {
        let reload = reloadEvery.map { "<script>setTimeout(function(){location.reload()},\($0 * 1000))</script>" } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left;vertical-align:top}nav a{margin-right:1em}pre{background:#f6f6f6;padding:.5em;overflow-x:auto;max-height:40em}</style>
            </head><body>
            <nav><a href="/">farm</a><a href="/workers">workers</a><a href="/nodes">nodes</a><a href="/metrics">metrics</a></nav>
            \(body)
            \(reload)</body></html>
            """
    }

    static func table(_ header: [String], _ rows: [[Cell]], id: String) -> String {
        let head = header.map { "<th>\(escape($0))</th>" }.joined()
        let body = rows.map { "<tr>" + $0.map { "<td>\($0.html)</td>" }.joined() + "</tr>" }.joined(separator: "\n")
        return "<table id=\"\(escape(id))\"><thead><tr>\(head)</tr></thead><tbody>\n\(body)\n</tbody></table>"
    }

    /// A two-column table of a record's fields.
    static func facts(_ rows: [(String, Cell)], id: String) -> String {
        let body = rows.map { "<tr><th>\(escape($0.0))</th><td>\($0.1.html)</td></tr>" }.joined(separator: "\n")
        return "<table id=\"\(escape(id))\"><tbody>\n\(body)\n</tbody></table>"
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
    static func seconds(_ value: Double) -> String { String(format: "%.0f s", value) }
}
