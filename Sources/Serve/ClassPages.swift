import Farm
import FarmModel
import Foundation

/// A class's page (its generations, a diff between any two, its recent builds) and a generation's page (its
/// binpkgs with build, worker, flags and SHA-256, and the nodes that boot it).
extension FarmPages {
    static func nodeClass(_ name: String, generations: [GenerationListing], diff: GenerationDiff?, builds: [BuildRecord]) -> String {
        let rows: [[Cell]] = generations.map { generation in
            [.link("\(generation.number)", href: "/classes/\(name)/\(generation.number)"), .text(generation.current ? "current" : ""),
             .text(generation.status), .text(iso(generation.created)), .text("\(generation.packages)"), .text(generation.kernel ?? "—"),
             .text(generation.isaAudit ?? "—"), .text(generation.onDisk ? "" : "pruned")]
        }
        let numbers = generations.map(\.number)
        func select(_ field: String, _ chosen: Int?) -> String {
            "<select name=\"\(field)\">" + numbers.map { "<option\($0 == chosen ? " selected" : "")>\($0)</option>" }.joined() + "</select>"
        }
        var body = "<h1>class \(escape(name))</h1>\n<h2>generations</h2>\n"
            + table(["generation", "", "status", "created", "packages", "kernel", "ISA audit", "on disk"], rows, id: "generations")
        body += "<h2>diff</h2>\n<form method=\"get\" action=\"/classes/\(escape(name))\">from \(select("from", diff?.from ?? numbers.dropFirst().first)) to \(select("to", diff?.to ?? numbers.first)) <button>diff</button></form>\n"
        if let diff { body += diffTable(diff) }
        body += "<h2>recent builds</h2>\n" + buildsTable(builds)
        return page(title: "class \(name)", body: body)
    }

    static func diffTable(_ diff: GenerationDiff) -> String {
        var rows: [[Cell]] = []
        for (what, list) in [("added", diff.added), ("removed", diff.removed), ("changed", diff.changed), ("rebuilt", diff.rebuilt)] {
            rows += list.map { [.text(what), .text($0)] }
        }
        if let kernel = diff.kernel { rows.append(["kernel", .text("\(kernel.from ?? "none") → \(kernel.to ?? "none")")]) }
        if let stage = diff.stage { rows.append(["seed stage", .text("\(stage.from ?? "none") → \(stage.to ?? "none")")]) }
        if rows.isEmpty { rows = [["same", "no package, kernel or stage differs"]] }
        return "<p>generation \(diff.from) → \(diff.to)</p>\n" + table(["change", "package"], rows, id: "diff")
    }

    static func generation(_ record: GenerationRecord, packages: [RootPackage], nodes: [NodeListing], current: Bool) -> String {
        var body = "<h1>\(escape(record.class)) generation \(record.number)\(current ? " (current)" : "")</h1>\n" + facts([
            ("class", .link(record.class, href: "/classes/\(record.class)")), ("status", .text(record.status.rawValue)),
            ("created", .text(iso(record.created))), ("path", .text(record.path)), ("kernel", .text(record.kernelRelease ?? "—")),
            ("seed stage", .text(record.stageDigest ?? "none")), ("ISA audit", .text(record.isaAudit ?? "—")),
        ] + (record.runId.map { [("run", Cell.link("\($0)", href: "/runs/\($0)"))] } ?? []), id: "generation")
        body += "<h2>binpkgs</h2>\n" + table(["package", "build", "worker", "CFLAGS", "USE", "SHA-256"], packages.map { package in
            [.text(package.cpv), .link("\(package.buildId)", href: "/builds/\(package.buildId)"), .text(package.worker),
             .text(package.cflags ?? ""), .text(package.use ?? ""), .text(package.sha256)]
        }, id: "packages")
        body += "<h2>nodes that boot it</h2>\n" + nodesTable(current ? nodes.filter { $0.class == record.class } : [])
        return page(title: "\(record.class) generation \(record.number)", body: body)
    }
}
