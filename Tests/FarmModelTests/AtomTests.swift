import FarmModel
import Testing

@Suite struct AtomParsingTests {
    @Test func parsesEveryPart() throws {
        // Given an atom using operator, version, slot, subslot, slot operator, repository and USE deps
        // When parsed
        let atom = try Atom(">=dev-libs/libfoo-1.2_rc3-r1:0/2.1=::gentoo[ssl,-gtk(+)]")
        // Then each part lands in its field
        #expect(atom.op == .greaterOrEqual)
        #expect(atom.cp == "dev-libs/libfoo")
        #expect(atom.version == "1.2_rc3-r1")
        #expect(atom.slot == "0")
        #expect(atom.subslot == "2.1")
        #expect(atom.slotOperator == .equal)
        #expect(atom.repository == "gentoo")
        #expect(atom.useDependencies == "ssl,-gtk(+)")
        #expect(atom.blocker == nil)
    }

    @Test(arguments: [
        "dev-libs/libfoo", "=dev-libs/libfoo-1.2", "<=x11-libs/gtk+-3.24.5-r2", "~sys-devel/gcc-13.2.0", "~sys-devel/gcc-13.2.0-r3",
        "=dev-lang/python-3.12*", "dev-lang/python:3.12", "dev-libs/openssl:=", "dev-libs/openssl:*",
        "dev-libs/openssl:0=", "sys-apps/foo::local", "!dev-libs/bar", "!!<dev-libs/bar-2",
        "media-libs/mesa[X,vulkan]", "dev-libs/foo-bar", "app-misc/foo-1b2",
    ])
    func roundTripsThroughDescription(text: String) throws {
        // Given a valid atom
        // When parsed and printed
        // Then the text comes back unchanged
        #expect(try Atom(text).description == text)
    }

    @Test func parsesBlockers() throws {
        // Given weak and strong blockers
        // When parsed
        // Then the blocker kind is recorded and the rest parses normally
        #expect(try Atom("!dev-libs/bar").blocker == .weak)
        #expect(try Atom("!!>=dev-libs/bar-2").blocker == .strong)
        #expect(try Atom("!!>=dev-libs/bar-2").version == "2")
    }

    @Test(arguments: [
        (">=dev-libs/foo", "needs `category/package-version`"),
        ("dev-libs/foo-1.0", "ends in a version"),
        (">=dev-libs/foo-1*", "only valid with `=`"),
        ("dev-libs/foo*", "needs the `=` operator"),
        ("libfoo", "expected `category/package`"),
        ("dev-libs/foo[", "USE dependencies must come last"),
        ("dev-libs/f.o", "bad package name"),
        ("dev-libs/foo[]", "bad USE dependencies"),
        ("dev-libs/foo:", "bad slot"),
        ("dev-libs/foo::", "bad repository name"),
        ("=>dev-libs/foo-1", "unknown operator `=>`"),
        ("dev libs/foo", "one word"),
        ("-dev/foo", "bad category name"),
        ("", "one word"),
    ])
    func rejectsMalformedAtoms(text: String, reason: String) {
        // Given malformed atom text
        // When parsed
        // Then an AtomError names the text and the reason
        #expect {
            try Atom(text)
        } throws: { error in
            guard let error = error as? AtomError else { return false }
            return error.text == text && error.problem.contains(reason) && error.problem.contains("`\(text)`")
        }
    }
}

@Suite struct AtomMatchingTests {
    static let cpv = CPV("dev-libs/libfoo-1.2.3-r1")!

    @Test(arguments: [
        ("dev-libs/libfoo", true), ("dev-libs/libbar", false), ("sys-libs/libfoo", false),
        ("=dev-libs/libfoo-1.2.3-r1", true), ("=dev-libs/libfoo-1.2.3", false), ("=dev-libs/libfoo-1.2.3-r01", true),
        (">=dev-libs/libfoo-1.2.3", true), (">=dev-libs/libfoo-1.2.3-r2", false), (">dev-libs/libfoo-1.2.3-r1", false),
        (">dev-libs/libfoo-1.2", true), ("<dev-libs/libfoo-1.10", true), ("<dev-libs/libfoo-1.2.3_p1", true),
        ("<=dev-libs/libfoo-1.2.3_rc9", false), ("~dev-libs/libfoo-1.2.3", true), ("~dev-libs/libfoo-1.2.3-r7", true), ("~dev-libs/libfoo-1.2", false),
        ("=dev-libs/libfoo-1.2*", true), ("=dev-libs/libfoo-1*", true), ("=dev-libs/libfoo-1.3*", false),
        ("dev-libs/libfoo:5", true), ("=dev-libs/libfoo-1.2.3-r1::gentoo[ssl]", true),
    ])
    func matchesCPV(atom text: String, expected: Bool) throws {
        // Given dev-libs/libfoo-1.2.3-r1 and an atom
        let atom = try Atom(text)
        // When matched
        // Then the operator and version decide (slot, repo and USE are not carried by a CPV)
        #expect(atom.matches(Self.cpv) == expected)
    }

    @Test func globMatchesOnlyOnComponentBoundaries() throws {
        // Given =cat/pkg-1* (Portage bug 560466)
        let atom = try Atom("=dev-libs/libfoo-1*")
        // When matched against 1.5 and 10.0
        // Then 1.5 matches and 10.0 does not
        #expect(atom.matches(CPV("dev-libs/libfoo-1.5")!))
        #expect(!atom.matches(CPV("dev-libs/libfoo-10.0")!))
    }
}
