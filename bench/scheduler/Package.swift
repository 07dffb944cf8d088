// swift-tools-version:6.1
import PackageDescription

// The scheduler benchmark (bench/scheduler/run.sh): discrete-event simulations of farmctl's ScheduleState on a farm of
// 10 classes built from the real Gentoo plans in shared/testdata, and on synthetic farms of up to 20,000 jobs.
let package = Package(
    name: "scheduler-bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "farmctl", path: "../..")],
    targets: [
        // ScheduleState as it was before its ready queues and earliest-finish placement, renamed
        // BaselineScheduleState: the "current" rows, to compare against in the same run.
        .target(name: "SchedulerBaseline", dependencies: [.product(name: "Scheduler", package: "farmctl")]),
        // `scheduler-bench farm|scale|shape TESTDATA ...` (see run.sh).
        .executableTarget(name: "scheduler-bench", dependencies: [
            .product(name: "Scheduler", package: "farmctl"), "SchedulerBaseline",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
