import Foundation

/// `scheduler-bench farm TESTDATA`: the realistic farm, both schedulers, tables in Markdown.
/// `scheduler-bench scale TESTDATA KIND [WORKERS CLASSES PACKAGES SEED]`: one scale run of `baseline`,
/// `proposed` or `none` (only generate the farm: the benchmark's own memory), one `key=value` line.
/// `scheduler-bench shape TESTDATA [CLASSES PACKAGES SEED]`: real vs synthetic graph shape, a Markdown table.
let usage = "usage: scheduler-bench farm TESTDATA | scale TESTDATA baseline|proposed|none [WORKERS CLASSES PACKAGES SEED] | shape TESTDATA [CLASSES PACKAGES SEED]"
let arguments = CommandLine.arguments.dropFirst()
do {
    guard arguments.count >= 2 else { throw BenchError(usage) }
    let testdata = URL(filePath: arguments[arguments.startIndex + 1])
    let rest = Array(arguments.dropFirst(2))
    func number(_ at: Int, _ otherwise: Int) throws -> Int {
        guard at < rest.count else { return otherwise }
        guard let value = Int(rest[at]) else { throw BenchError(usage) }
        return value
    }
    switch arguments.first! {
    case "farm":
        try farmReport(testdata: testdata)
    case "scale":
        guard let kind = rest.first else { throw BenchError(usage) }
        try scaleRun(testdata: testdata, kind: kind, workers: number(1, 100), classes: number(2, 20),
                     packages: number(3, 1000), seed: UInt64(number(4, 1)))
    case "shape":
        try shapeReport(testdata: testdata, classes: number(0, 20), packages: number(1, 1000), seed: UInt64(number(2, 1)))
    default:
        throw BenchError(usage)
    }
} catch {
    FileHandle.standardError.write(Data("scheduler-bench: \(error)\n".utf8))
    exit(1)
}
