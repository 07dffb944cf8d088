import ArgumentParser
import Farm
import FarmModel
import Foundation

@main
struct Farmctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "farmctl",
        abstract: "Build and publish Gentoo root filesystems for diskless node classes.",
        subcommands: [Build.self, Nightly.self, Status.self, Logs.self, Gc.self, Plan.self, Roots.self, Pxe.self, Classify.self, Nodes.self, Workers.self, Query.self, BinpkgCommand.self, Serve.self])
}

/// Options every command shares.
struct FarmOptions: ParsableArguments {
    @Option(name: .long, help: "The farm's workers.conf (default: ./workers.conf).")
    var config: String?

    /// Loads the farm, or prints the error and exits 2.
    func loadFarm() throws -> Farm {
        try reportingErrors(exitCode: 2) { try Farm.load(configPath: config) }
    }
}

/// Runs `body`; a user-facing error is printed as `error: …` / `fix: …` and turned into `exitCode`.
func reportingErrors<T>(exitCode: Int32, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as UserFacingError {
        printError(error)
        throw ExitCode(exitCode)
    }
}

func reportingErrors<T>(exitCode: Int32, _ body: () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as UserFacingError {
        printError(error)
        throw ExitCode(exitCode)
    }
}

func printError(_ error: UserFacingError) {
    FileHandle.standardError.write(Data("error: \(error.problem)\n  fix: \(error.fix)\n".utf8))
}

/// Encodes `value` as pretty JSON on standard output.
func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try Farm.jsonEncoder().encode(value), as: UTF8.self))
}
