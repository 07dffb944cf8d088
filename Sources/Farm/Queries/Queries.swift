import Foundation
import FarmConfig
import FarmModel
import Store

extension Farm {
    /// The binpkgs a class root holds: the generation `current` points at, or generation `number`.
    public func rootPackages(class name: String, generation number: Int?) throws -> (GenerationRecord, [RootPackage]) {
        let nodeClass = try profiles(named: [name])[0].name
        let store = try existingStore()
        let generation: GenerationRecord?
        if let number {
            generation = try store.generation(class: nodeClass, number: number)
        } else if let current = RootLink.current(in: settings.rootsDirectory(for: nodeClass).path) {
            generation = try store.generation(class: nodeClass, number: current)
        } else {
            generation = try store.latestPublishedGeneration(class: nodeClass)
        }
        guard let generation, let id = generation.id else {
            let known = try store.generations(class: nodeClass).map { "\($0.number) (\($0.status))" }
            throw FarmError(problem: number.map { "class \(nodeClass) has no generation \($0)" }
                                ?? "class \(nodeClass) has no published root yet",
                            fix: known.isEmpty ? "run `farmctl build \(nodeClass)`" : "known generations: \(known.joined(separator: ", "))")
        }
        return (generation, try store.packages(inGeneration: id))
    }

    /// Which published generations hold a package matching `atom`, and which version.
    public func locations(of text: String) throws -> [PackageLocation] {
        guard let atom = try? Atom(text) else {
            throw FarmError(problem: "'\(text)' is not a package atom", fix: "write it as category/package, e.g. app-misc/farm-hello or =app-misc/farm-hello-1.0")
        }
        return try existingStore().locations(cp: atom.cp).filter { location in
            CPV(location.cpv).map(atom.matches) ?? false
        }
    }

    /// Build history, newest first.
    public func buildHistory(class name: String?) throws -> [BuildRecord] {
        // `_host` names Portage's host side (build-only tools), which has no profile.
        let nodeClass = try name.map { $0 == ClassWorkspace.host.rawValue ? ClassWorkspace.host : try profiles(named: [$0])[0].name }
        return try existingStore().builds(class: nodeClass)
    }
}
