import ArgumentParser
import Farm
import Foundation

extension Farmctl.Roots {
    struct Audit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode every ELF file of a root and name each instruction the class's CPU lacks.",
            discussion: """
            The CPU is the class's: its -march, -m options, CPU_FLAGS_X86 and [cpu] requires. Code an IFUNC resolver \
            selects by CPUID at run time (glibc's SSE2/SSSE3 string functions) is listed apart and does not fail; \
            files under [audit] allow in class.toml do not fail either. Exit status: 0 pass, 1 violations, 2 bad input.
            """)
        @OptionGroup var options: FarmOptions
        @Argument(help: "The class.") var nodeClass: String
        @Option(help: "The generation (default: the one `current` points at).") var generation: Int?
        @Option(help: ArgumentHelp("Audit this directory (a stage, an unpacked root) instead of a generation.", valueName: "dir"))
        var root: String?
        @Option(help: ArgumentHelp("Audit only the files of the root's packages this atom matches.", valueName: "atom"))
        var package: String?
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "List every run-time-selected function, not a count per file.") var verbose = false

        func validate() throws {
            if root != nil, generation != nil { throw ValidationError("--root and --generation name two roots; give one") }
        }

        func run() async throws {
            let farm = try options.loadFarm()
            let audit = try await reportingErrors(exitCode: 2) {
                try await farm.auditRoot(class: nodeClass, generation: generation, directory: root, package: package)
            }
            if json {
                try printJSON(audit)
            } else {
                render(audit)
            }
            if !audit.report.passed { throw ExitCode(1) }
        }

        func render(_ audit: ClassRootAudit) {
            let report = audit.report
            let what = audit.generation == 0 ? report.root : "generation \(audit.generation)"
            print("\(audit.class) \(what) (-march=\(audit.march)): \(report.filesScanned) ELF files decoded in \(String(format: "%.2f", audit.seconds)) s")
            for file in report.files where !file.violations.isEmpty {
                let owner = file.package ?? "no package owns it"
                print("\(file.allowed ? "allowed" : "FAIL") \(file.path) (\(owner))")
                for use in file.violations {
                    print("  \(use.feature.padding(toLength: 8, withPad: " ", startingAt: 0)) \(use.count) in \(use.function); first \(use.first)")
                }
            }
            let selected = report.files.filter { !$0.runtimeSelected.isEmpty }
            if !selected.isEmpty {
                print("run-time-selected (a CPUID check picks them; they do not fail the audit):")
                for file in selected {
                    if verbose {
                        print("  \(file.path)")
                        for use in file.runtimeSelected { print("    \(use.feature.padding(toLength: 8, withPad: " ", startingAt: 0)) \(use.function)") }
                    } else {
                        let byFeature = Dictionary(grouping: file.runtimeSelected, by: \.feature)
                            .map { "\($0.key) in \($0.value.count) functions" }.sorted().joined(separator: ", ")
                        print("  \(file.path): \(byFeature)")
                    }
                }
            }
            let byPackage = Dictionary(grouping: report.failing, by: { $0.package ?? "no package" })
            if !byPackage.isEmpty {
                print("per package:")
                for (owner, files) in byPackage.sorted(by: { $0.key < $1.key }) {
                    let features = Set(files.flatMap { $0.violations.map(\.feature) }).sorted().joined(separator: " ")
                    print("  \(owner): \(files.count) file(s), \(features)")
                }
            }
            if report.passed {
                print("PASS: no file holds an instruction a \(audit.march) CPU lacks outside run-time-selected code")
            } else {
                let strict = audit.strictISA ? "strict_isa = true: builds will not publish such a root" : "strict_isa is off: builds publish with a warning"
                print("FAIL: \(report.failing.count) files hold instructions a \(audit.march) CPU lacks (\(strict))")
            }
        }
    }
}
