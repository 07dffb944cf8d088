import FarmConfig
import Foundation
import Workers

/// SSH workers: `workers.conf` settings turned into transport targets.
enum SSHWorkers {
    static func transport(for spec: WorkerSpec) throws -> any WorkerTransport {
        throw FarmError(problem: "worker \(spec.name): SSH workers are not available in this build", fix: "use host = \"localhost\"")
    }
}
