/// The extraction policy as a pure state machine: entries come in archive order and each is admitted or
/// refused before any byte of it is written. It knows only what earlier entries created, which is all there
/// is in the fresh staging directory.
struct ExtractionGuard {
    /// What an earlier entry left at a path.
    private enum Node {
        /// Created as the parent of a later entry, not listed itself.
        case implicitDirectory
        case directory
        /// A symlink (or a hardlink to one, which is a symlink too) with its target.
        case symlink(target: [UInt8])
        /// A file, device or FIFO.
        case other
    }

    private var nodes: [[[UInt8]]: Node] = [:]
    let allowDeviceNodes: Bool

    init(allowDeviceNodes: Bool) { self.allowDeviceNodes = allowDeviceNodes }

    /// Admits an entry of `type` at `location`, or throws why it is refused.
    mutating func admit(_ type: ImageEntry.EntryType, at location: ImageLocation) throws(ImagePath.Refusal) {
        func refuse(_ reason: String) -> ImagePath.Refusal { ImagePath.Refusal(reason: reason) }
        let path = location.path
        for ancestor in path.ancestors {
            switch nodes[ancestor.components] {
            case .symlink?: throw refuse("its parent \(ancestor.text) is a symlink; writing through it could land outside the image")
            case .other?: throw refuse("its parent \(ancestor.text) is not a directory")
            case .directory?, .implicitDirectory?, nil: break
            }
        }
        switch nodes[path.components] {
        case .directory?, .implicitDirectory?: if type != .directory { throw refuse("it would replace a directory") }
        case .symlink?, .other?: throw refuse("a second entry for the same path (Portage refuses duplicates too)")
        case nil: break
        }
        let node: Node
        switch type {
        case .directory: node = .directory
        case .file: node = .other
        case .characterDevice, .blockDevice, .fifo:
            guard allowDeviceNodes else {
                throw refuse("device nodes and FIFOs are refused unless ExtractionOptions.allowDeviceNodes is set "
                    + "(Portage's gpkg extraction refuses them always)")
            }
            node = .other
        case .symlink:
            let target = location.symlinkTarget ?? []
            guard path.symlinkStaysInside(target: target) else {
                throw refuse("its relative target \"\(String(decoding: target, as: UTF8.self))\" climbs above the image root")
            }
            node = .symlink(target: target)
        case .hardlink:
            node = try hardlinkNode(at: path, to: location.hardlinkTarget)
        }
        for ancestor in path.ancestors where nodes[ancestor.components] == nil {
            nodes[ancestor.components] = .implicitDirectory
        }
        nodes[path.components] = node
    }

    /// A hardlink must point at a non-directory extracted before it; linking a symlink copies the symlink,
    /// whose relative target must then stay inside the root from the new place too.
    private func hardlinkNode(at path: ImagePath, to target: ImagePath?) throws(ImagePath.Refusal) -> Node {
        let name = target?.text ?? ""
        switch target.flatMap({ nodes[$0.components] }) {
        case .other?: return .other
        case .symlink(let symlinkTarget)?:
            guard path.symlinkStaysInside(target: symlinkTarget) else {
                throw ImagePath.Refusal(reason: "it links the symlink \(name), whose relative target climbs above the image root from here")
            }
            return .symlink(target: symlinkTarget)
        case .directory?, .implicitDirectory?:
            throw ImagePath.Refusal(reason: "its hardlink target \(name) is a directory")
        case nil:
            throw ImagePath.Refusal(reason: "its hardlink target \"\(name)\" is not an entry extracted before it")
        }
    }
}
