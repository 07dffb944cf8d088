import Farm
import FarmModel
import Foundation

/// A run's page: per class what it built, reused and failed, per worker its builds and busy time, its builds; while it
/// runs, what builds where and what waits and why (`farmctl status`), reloaded every few seconds.
extension FarmPages {
    static func run(_ report: RunReport, builds: [BuildRecord], live: RunStatus?) -> String {
        var body = "<h1>run \(report.id)</h1>\n" + facts([
            ("command", .text(report.command)), ("classes", .text(report.classes.joined(separator: " "))),
            ("status", .text(report.status.rawValue)), ("started", .text(iso(report.started))),
            ("took", .text(report.finished.map { seconds($0.timeIntervalSince(report.started)) } ?? "running")),
            ("host", .text("\(report.host), pid \(report.pid)")),
        ] + (report.failure.map { [("failure", Cell.text($0))] } ?? []), id: "run")
        if let summary = report.summary {
            body += "<h2>classes</h2>\n" + table(["class", "root", "built", "reused", "failed", "damaged"], summary.classes.map { result in
                let name = result.nodeClass.rawValue
                let root: Cell = switch result.outcome {
                case .published(let number): .link("published \(number)", href: "/classes/\(name)/\(number)")
                case .unchanged(let number): .link("unchanged \(number)", href: "/classes/\(name)/\(number)")
                case .failed(let reason): .text("failed: \(reason)")
                }
                return [.link(name, href: "/classes/\(name)"), root, .text("\(result.built)"), .text("\(result.reused)"),
                        .text("\(result.failed)"), .text(result.damaged.joined(separator: " "))]
            }, id: "classes")
            body += "<h2>workers</h2>\n" + table(["worker", "builds", "failed", "busy"], summary.workers.map { worker in
                [.text(worker.name), .text("\(worker.builds)"), .text("\(worker.failed)"), .text(seconds(worker.busySeconds))]
            }, id: "workers")
        }
        if let live {
            body += "<h2>now</h2>\n" + table(["class", "phase", "planned", "built", "failed", "skipped", "kernel", "why"],
                                             live.classes.sorted { $0.key < $1.key }.map { name, progress in
                [.link(name, href: "/classes/\(name)"), .text(progress.phase), .text("\(progress.planned)"), .text("\(progress.built)"),
                 .text("\(progress.failed)"), .text("\(progress.skipped)"), .text(progress.kernel ?? ""), .text(progress.reason ?? "")]
            }, id: "progress")
            body += "<h3>building</h3>\n" + table(["worker", "job", "for"], live.running.sorted { ($0.worker, $0.job) < ($1.worker, $1.job) }.map {
                [.text($0.worker), .text($0.job), .text(seconds(Date().timeIntervalSince($0.since)))]
            }, id: "running")
            body += "<h3>waiting</h3>\n" + table(["job", "why"], live.waiting.prefix(50).map { [.text($0.job), .text($0.reason)] }, id: "waiting")
        }
        body += "<h2>builds</h2>\n" + buildsTable(builds)
        return page(title: "run \(report.id)", body: body, reloadEvery: report.finished == nil ? 3 : nil)
    }

    static func buildsTable(_ builds: [BuildRecord]) -> String {
        table(["build", "class", "package", "worker", "status", "started", "took"], builds.map { build in
            let id = build.id.map(String.init) ?? "?"
            return [.link(id, href: "/builds/\(id)"), .link(build.class, href: "/classes/\(build.class)"), .text(build.cpv), .text(build.worker),
                    .text(build.status.rawValue), .text(iso(build.started)),
                    .text(build.finished.map { seconds($0.timeIntervalSince(build.started)) } ?? "running")]
        }, id: "builds")
    }
}
