import Foundation

/// A checker of Prometheus' text exposition format (version 0.0.4), as promtool's parser reads it: every sample line
/// `name{label="value",…} number`, names and labels well formed, a metric's `# TYPE` before its samples and given
/// once, histogram series (`_bucket` with `le`, `_sum`, `_count`) consistent. Returns the problems, one per line.
enum PrometheusText {
    static func problems(_ text: String) -> [String] {
        var problems: [String] = []
        var types: [String: String] = [:]
        var buckets: [String: [Double]] = [:]
        let name = /[a-zA-Z_:][a-zA-Z0-9_:]*/
        let sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)( -?\d+)?$/
        let label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"$/
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let where_ = "line \(index + 1): `\(line)`"
            if line.isEmpty { continue }
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, (try? name.wholeMatch(in: String(parts[2]))) != nil,
                      ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[3]) else { problems.append("\(where_): bad TYPE"); continue }
                if types[String(parts[2])] != nil { problems.append("\(where_): TYPE given twice") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let match = try? sample.wholeMatch(in: String(line)) else { problems.append("\(where_): not a sample"); continue }
            let metric = String(match.1)
            guard Double(String(match.4)) != nil || ["+Inf", "-Inf", "NaN"].contains(String(match.4)) else { problems.append("\(where_): bad value"); continue }
            var labels: [String: String] = [:]
            if let body = match.3, !body.isEmpty {
                for pair in body.split(separator: ",") {
                    guard let parsed = try? label.wholeMatch(in: String(pair)) else { problems.append("\(where_): bad label `\(pair)`"); continue }
                    labels[String(parsed.1)] = String(parsed.2)
                }
            }
            let base = ["_bucket", "_sum", "_count"].first { metric.hasSuffix($0) && types[String(metric.dropLast($0.count))] == "histogram" }
                .map { String(metric.dropLast($0.count)) } ?? metric
            guard types[base] != nil else { problems.append("\(where_): sample before its TYPE"); continue }
            if metric == base + "_bucket" {
                guard let le = labels["le"], let bound = le == "+Inf" ? Double.infinity : Double(le) else { problems.append("\(where_): bucket without le"); continue }
                if let last = buckets[base]?.last, bound <= last { problems.append("\(where_): buckets not increasing") }
                buckets[base, default: []].append(bound)
            }
        }
        for (metric, bounds) in buckets where bounds.last != .infinity { problems.append("\(metric): no +Inf bucket") }
        return problems
    }
}
