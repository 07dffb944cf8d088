import FarmModel
import Foundation

extension Farm {
    /// Builds (or finds cached) the kernel and modules of each class that has a `[kernel]`, one class at a time
    /// (a kernel build uses every core); classes with the same kernel share one build. Never throws: each class
    /// gets its kernel or the error that blocks its publication.
    func buildKernels(_ workspaces: [ClassWorkspace], events: @escaping @Sendable (FarmEvent) -> Void) async
        -> [ClassName: Result<BuiltKernel, any Error>] {
        let builder = KernelBuilder(settings: settings, events: events)
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
