import Farm
import FarmModel
import Foundation
import Prometheus

/// `/metrics` in Prometheus text format, read from the store and the PKGDIRs at each scrape (nothing kept).
enum FarmMetrics {
    /// The metrics text for `farm` at `now`.
    static func render(_ farm: Farm, now: Date = Date()) throws -> String {
        let registry = PrometheusCollectorRegistry()
        let runs = (try? farm.runs(limit: nil)) ?? []
        var runCounts: [String: Int] = [:]
        for run in runs { runCounts[run.status.rawValue, default: 0] += 1 }
        for (status, count) in runCounts.sorted(by: { $0.key < $1.key }) {
            registry.makeGauge(name: "farmctl_runs", labels: [("status", status)], help: "Runs recorded in the store, by how they ended").set(Double(count))
        }
        let builds = (try? farm.buildHistory(class: nil)) ?? []
        var buildCounts: [[String]: Int] = [:]
        let durations = registry.makeValueHistogram(name: "farmctl_build_duration_seconds",
                                                    buckets: [1, 5, 15, 60, 300, 900, 3600, 14400],
                                                    help: "Seconds each finished build took")
        for build in builds {
            buildCounts[[build.class, build.worker, build.status.rawValue], default: 0] += 1
            if let finished = build.finished, build.status != .running { durations.record(finished.timeIntervalSince(build.started)) }
        }
        for (labels, count) in buildCounts.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            registry.makeGauge(name: "farmctl_builds", labels: [("class", labels[0]), ("worker", labels[1]), ("status", labels[2])],
                               help: "Builds recorded in the store, by class, worker and outcome").set(Double(count))
        }
        let generations = (try? farm.listGenerations(class: nil)) ?? []
        for generation in generations where generation.current {
            registry.makeGauge(name: "farmctl_generation_age_seconds", labels: [("class", generation.class)],
                               help: "Age of the generation `current` points at, per class").set(now.timeIntervalSince(generation.created))
            registry.makeGauge(name: "farmctl_generation_packages", labels: [("class", generation.class)],
                               help: "Packages in the current generation, per class").set(Double(generation.packages))
        }
        for name in Set(generations.map(\.class)).sorted() {
            guard let nodeClass = ClassName(name) else { continue }
            let (count, bytes) = binpkgs(in: farm.settings.packagesDirectory(for: nodeClass).path)
            registry.makeGauge(name: "farmctl_binpkgs", labels: [("class", name)], help: "Binpkgs in the class's PKGDIR").set(Double(count))
            registry.makeGauge(name: "farmctl_binpkg_bytes", labels: [("class", name)], help: "Bytes of binpkgs in the class's PKGDIR").set(Double(bytes))
            let (quarantined, _) = binpkgs(in: farm.settings.state.appendingPathComponent("quarantine/\(name)").path)
            registry.makeGauge(name: "farmctl_quarantined_binpkgs", labels: [("class", name)], help: "Binpkgs moved out of the PKGDIR as damaged or unknown").set(Double(quarantined))
        }
        let status = try? farm.status()
        let progress = status?.active != nil ? status?.progress : nil
        registry.makeGauge(name: "farmctl_run_active", labels: [], help: "1 while a run holds the farm lock").set(Double(status?.active != nil ? 1 : 0))
        registry.makeGauge(name: "farmctl_queue_depth", labels: [], help: "Jobs of the running run waiting to start").set(Double(progress?.waiting.count ?? 0))
        registry.makeGauge(name: "farmctl_running_builds", labels: [], help: "Builds of the running run in progress").set(Double(progress?.running.count ?? 0))
        if let summary = runs.first(where: { $0.summary != nil })?.summary {
            for result in summary.classes where result.built + result.reused > 0 {
                registry.makeGauge(name: "farmctl_binpkg_cache_hit_ratio", labels: [("class", result.nodeClass.rawValue)],
                                   help: "Share of the last finished run's packages taken from the binpkg cache instead of built, per class")
                    .set(Double(result.reused) / Double(result.built + result.reused))
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The number and total size of binpkg files under `directory` (0 when it does not exist).
    static func binpkgs(in directory: String) -> (count: Int, bytes: Int64) {
        guard let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: directory), includingPropertiesForKeys: [.fileSizeKey]) else { return (0, 0) }
        var count = 0
        var bytes: Int64 = 0
        for case let url as URL in walker where BinhostPath.isBinpkgName(url.lastPathComponent) {
            count += 1
            bytes += Int64((try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        }
        return (count, bytes)
    }
}
