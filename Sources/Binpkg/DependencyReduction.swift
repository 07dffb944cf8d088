/// Evaluates USE conditionals in a dependency or LICENSE string the way Portage's `use_reduce` +
/// `paren_enclose` do when it writes a Packages index: active `flag? ( … )` groups are inlined, inactive
/// ones dropped, all-of groups flattened, `|| ( … )` groups kept (one member collapses to that member,
/// none becomes `__const__/empty-any-of`).
public enum DependencyReduction {
    indirect enum Node: Equatable {
        case token(String)
        case allOf([Node])
        case anyOf([Node])
        case conditional(flag: String, negated: Bool, [Node])
    }

    /// The string reduced for the enabled flags `use`; nil when the parentheses do not balance.
    public static func reduce(_ text: String, use: Set<String>) -> String? {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        var index = 0
        guard let nodes = parse(tokens, &index, nested: false), index == tokens.count else { return nil }
        return render(reduceAll(nodes, use: use))
    }

    static func parse(_ tokens: [String], _ index: inout Int, nested: Bool) -> [Node]? {
        var nodes: [Node] = []
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            switch token {
            case ")": return nested ? nodes : nil
            case "(":
                guard let group = parse(tokens, &index, nested: true) else { return nil }
                nodes.append(.allOf(group))
            case "||":
                guard index < tokens.count, tokens[index] == "(" else { return nil }
                index += 1
                guard let group = parse(tokens, &index, nested: true) else { return nil }
                nodes.append(.anyOf(group))
            default:
                if token.hasSuffix("?"), token.count > 1 {
                    guard index < tokens.count, tokens[index] == "(" else { return nil }
                    index += 1
                    guard let group = parse(tokens, &index, nested: true) else { return nil }
                    let negated = token.hasPrefix("!")
                    let flag = String(token.dropFirst(negated ? 1 : 0).dropLast())
                    nodes.append(.conditional(flag: flag, negated: negated, group))
                } else {
                    nodes.append(.token(token))
                }
            }
        }
        return nested ? nil : nodes
    }

    /// Items of an all-of context: tokens and any-of groups, with groups and active conditionals inlined.
    static func reduceAll(_ nodes: [Node], use: Set<String>) -> [Node] {
        nodes.flatMap { node -> [Node] in
            switch node {
            case .token: [node]
            case .allOf(let children): reduceAll(children, use: use)
            case let .conditional(flag, negated, children):
                use.contains(flag) != negated ? reduceAll(children, use: use) : []
            case .anyOf(let children):
                switch reduceAny(children, use: use) {
                case .allOf(let inner): inner
                case let single: [single]
                }
            }
        }
    }

    /// One any-of group reduced: nested any-of groups merged, a single member unwrapped.
    static func reduceAny(_ nodes: [Node], use: Set<String>) -> Node {
        var members: [Node] = []
        for node in nodes {
            switch node {
            case .token: members.append(node)
            case .anyOf(let children):
                switch reduceAny(children, use: use) {
                case .anyOf(let inner): members.append(contentsOf: inner)
                case .token("__const__/empty-any-of"): break
                case let other: members.append(other)
                }
            case .allOf(let children): members.append(contentsOf: wrap(reduceAll(children, use: use)))
            case let .conditional(flag, negated, children):
                if use.contains(flag) != negated { members.append(contentsOf: wrap(reduceAll(children, use: use))) }
            }
        }
        switch members.count {
        case 0: return .token("__const__/empty-any-of")
        case 1: return members[0]
        default: return .anyOf(members)
        }
    }

    private static func wrap(_ items: [Node]) -> [Node] {
        items.count > 1 ? [.allOf(items)] : items
    }

    static func render(_ nodes: [Node]) -> String {
        nodes.map { node in
            switch node {
            case .token(let text): text
            case .allOf(let children): "( \(render(children)) )"
            case .anyOf(let children): "|| ( \(render(children)) )"
            case .conditional(let flag, let negated, let children):
                "\(negated ? "!" : "")\(flag)? ( \(render(children)) )"
            }
        }.joined(separator: " ")
    }
}
