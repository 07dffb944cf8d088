import FarmModel
import Foundation

/// Real build times (emerge-log/durations.tsv: median seconds per `category/package`, amd64 multi-core machines)
/// and the estimate used for packages without one: the median of the category's packages, else of all packages.
struct Durations {
    /// Where an estimate came from.
    enum Source: String, CaseIterable { case measured, categoryMedian = "category median", overallMedian = "overall median" }

    /// Median seconds by `category/package`.
    let byPackage: [String: Double]
    /// Median over the packages of each category of their median seconds.
    let byCategory: [String: Double]
    /// Median over all packages of their median seconds.
    let overall: Double

    /// Reads `category/package<TAB>samples<TAB>median_s<TAB>...` with a header line.
    init(contentsOf url: URL) throws {
        var byPackage: [String: Double] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3, let seconds = Double(fields[2]) else { throw BenchError("\(url.path): bad line \(line)") }
            byPackage[String(fields[0])] = seconds
        }
        self.byPackage = byPackage
        let categories = Dictionary(grouping: byPackage, by: { String($0.key.prefix { $0 != "/" }) })
        byCategory = categories.mapValues { median($0.map(\.value)) }
        overall = median(Array(byPackage.values))
    }

    /// The seconds to build `cpv` at speed 1.0 and where that figure came from.
    func estimate(_ cpv: CPV) -> (seconds: Double, source: Source) {
        if let seconds = byPackage[cpv.cp] { return (seconds, .measured) }
        if let seconds = byCategory[cpv.category] { return (seconds, .categoryMedian) }
        return (overall, .overallMedian)
    }

    /// Every measured median, for sampling synthetic packages.
    var samples: [Double] { byPackage.keys.sorted().map { byPackage[$0]! } }
}

/// The median of a non-empty list (mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
