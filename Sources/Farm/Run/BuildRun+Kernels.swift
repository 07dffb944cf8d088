import FarmModel
import Foundation
import Kernels

extension Farm {
    /// Builds (or finds cached) the kernel and modules of each class that has a `[kernel]`, one class at a time
    /// (a kernel build uses every core); classes with the same kernel share one build. Never throws: each class
    /// gets its kernel or the error that blocks its publication.
    func buildKernels(_ workspaces: [ClassWorkspace], events: @escaping @Sendable (FarmEvent) -> Void) async
        -> [ClassName: Result<BuiltKernel, any Error>] {
        let builder = KernelBuilder(directory: settings.state.appendingPathComponent("kernels").path) { event in
            switch event {
            case .progress(let text): events(.kernelProgress(text))
            case let .building(nodeClass, key, log): events(.kernelBuilding(nodeClass, key: key, log: log))
            case let .built(nodeClass, release, key, seconds, cached):
                events(.kernelBuilt(nodeClass, release: release, key: key, seconds: seconds, cached: cached))
            case let .moduleBuilt(nodeClass, module, release, seconds, succeeded):
                events(.moduleBuilt(nodeClass, module: module, release: release, seconds: seconds, succeeded: succeeded))
            }
        }
        var results: [ClassName: Result<BuiltKernel, any Error>] = [:]
        for workspace in workspaces {
            guard let kernel = workspace.profile.kernel else { continue }
            do {
                results[workspace.nodeClass] = .success(try await builder.build(kernel, for: workspace.nodeClass))
            } catch {
                results[workspace.nodeClass] = .failure(error)
            }
        }
        return results
    }
}
