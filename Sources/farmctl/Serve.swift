import ArgumentParser
import Farm
import Foundation
import Serve

extension Farmctl {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the farm read-only over HTTP: its pages, /api/ JSON, /binhost/CLASS/ and /metrics.")

        @OptionGroup var options: FarmOptions

        @Option(help: "HOST:PORT to listen on: loopback by default; any other address only when you name it.")
        var listen = "127.0.0.1:8474"

        func run() async throws {
            let farm = try options.loadFarm()
            let address = try reportingErrors(exitCode: 2) { try ListenAddress.parse(listen) }
            try await FarmServer(farm: farm).run(host: address.host, port: address.port) { port in
                // Written straight to the descriptor: a supervisor or test reading the pipe sees it at once.
                FileHandle.standardOutput.write(Data("serving \(farm.settings.directory.path) at http://\(address.host):\(port)/\n".utf8))
            }
        }
    }
}
