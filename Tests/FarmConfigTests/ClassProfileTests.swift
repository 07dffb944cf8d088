import FarmConfig
import FarmModel
import Foundation
import Testing

@Suite struct ClassProfileTests {
    static let classToml = """
        arch = "x86"
        portage_profile = "gentoo:default/linux/x86/23.0/i686"
        description = "Pentium III lab nodes"
        """
    static let packages = """
        # base system
        sys-apps/openrc

        >=sys-kernel/gentoo-kernel-bin-6.6:6.6  # pinned series
        net-misc/openssh[-X]
        """

    static func classFiles(_ name: String, toml: String = classToml, packages: String = packages,
                           extra: [String: String] = [:]) -> [String: String] {
        var files = ["profiles/\(name)/class.toml": toml, "profiles/\(name)/make.conf": "CFLAGS=\"-O2 -march=pentium3\"\n",
                     "profiles/\(name)/packages": packages]
        for (path, text) in extra { files["profiles/\(name)/\(path)"] = text }
        return files
    }

    @Test func loadsAClassDirectory() throws {
        // Given a class with every optional file and an overlay
        let files = Self.classFiles("PIII", extra: ["package.use": "x y\n", "package.accept_keywords/local": "a ~x86\n",
                                                    "package.env": "z w\n", "overlay/etc/motd": "hi\n"])
        try withFiles(files) { dir in
            // When loaded
            let profile = try ClassProfile.load(from: dir.appendingPathComponent("profiles/PIII"))
            // Then class.toml, make.conf, packages and the optional paths are all there
            #expect(profile.name.rawValue == "PIII")
            #expect(profile.arch == .x86)
            #expect(profile.portageProfile == .init(repository: "gentoo", path: "default/linux/x86/23.0/i686"))
            #expect(profile.description == "Pentium III lab nodes")
            #expect(profile.makeConf.march == "pentium3")
            #expect(profile.packageSet.map(\.value.description) ==
                ["sys-apps/openrc", ">=sys-kernel/gentoo-kernel-bin-6.6:6.6", "net-misc/openssh[-X]"])
            #expect(profile.packageSet.map(\.location.line) == [2, 4, 5])
            #expect(profile.packageUse?.lastPathComponent == "package.use")
            #expect(profile.packageAcceptKeywords?.lastPathComponent == "package.accept_keywords")
            #expect(profile.packageEnv?.lastPathComponent == "package.env")
            #expect(profile.overlay?.lastPathComponent == "overlay")
        }
    }

    @Test func optionalPartsAreNilWhenAbsent() throws {
        // Given a class with only the required files and no description
        let toml = "arch = \"amd64\"\nportage_profile = \"gentoo:default/linux/amd64/23.0\"\n"
        try withFiles(Self.classFiles("Opteron", toml: toml, packages: "")) { dir in
            // When loaded
            let profile = try ClassProfile.load(from: dir.appendingPathComponent("profiles/Opteron"))
            // Then the optional parts are nil and the package set is empty
            #expect(profile.arch == .amd64 && profile.description == nil && profile.packageSet.isEmpty)
            #expect(profile.packageUse == nil && profile.packageAcceptKeywords == nil && profile.packageEnv == nil)
            #expect(profile.overlay == nil)
        }
    }

    @Test(arguments: [
        ("class.toml", "portage_profile = \"gentoo:p\"\n", "", ConfigError.Kind.missingKey, nil, "class.toml is missing the required key `arch`"),
        ("class.toml", "arch = \"i686\"\nportage_profile = \"gentoo:p\"\n", "", .invalidValue, 1, "is `i686`, not a known arch"),
        ("class.toml", "arch = \"x86\"\nportage_profile = \"default/linux/x86\"\n", "", .invalidValue, 2, "not `REPO:path`"),
        ("class.toml", "arch = \"x86\"\nportage_profile = \"gentoo:/abs\"\n", "", .invalidValue, 2, "not `REPO:path`"),
        ("class.toml", "arch = \"x86\"\nportage_profile = \"gentoo:p\"\ndescripton = \"x\"\n", "", .unknownKey, 3, "did you mean `description`?"),
        ("packages", classToml, "sys-apps/openrc\n\nopenssh\n", .invalidValue, 3, "invalid atom `openssh`"),
        ("packages", classToml, "# x\n!sys-apps/systemd\n", .invalidValue, 2, "blocker `!sys-apps/systemd` in a package set"),
        ("packages", classToml, "sys-apps/openrc\n!!<sys-apps/foo-2\n", .invalidValue, 2, "blocker"),
    ] as [(String, String, String, ConfigError.Kind, Int?, String)])
    func reportsClassErrorsWithFileAndLine(file: String, toml: String, packages: String, kind: ConfigError.Kind,
                                           line: Int?, fragment: String) throws {
        // Given a class whose class.toml or packages file is wrong
        try withFiles(Self.classFiles("Bad", toml: toml, packages: packages)) { dir in
            // When loaded
            // Then the error names that file and line
            expectConfigError(kind, file: file, line: line, fragment) {
                _ = try ClassProfile.load(from: dir.appendingPathComponent("profiles/Bad"))
            }
        }
    }

    @Test(arguments: ["make.conf", "packages", "class.toml"])
    func requiresEachMandatoryFile(missing: String) throws {
        // Given a class directory lacking one required file
        var files = Self.classFiles("Bad")
        files["profiles/Bad/\(missing)"] = nil
        try withFiles(files) { dir in
            // When loaded
            // Then the error names the missing file's path
            expectConfigError(.fileNotFound, file: "profiles/Bad/\(missing)", line: nil, "file not found") {
                _ = try ClassProfile.load(from: dir.appendingPathComponent("profiles/Bad"))
            }
        }
    }
}

@Suite struct ClassCatalogTests {
    static let files = ClassProfileTests.classFiles("PIII").merging(ClassProfileTests.classFiles("AthlonXP")) { a, _ in a }
        .merging(["profiles/README": "not a class\n", "profiles/.git/config": "x\n"]) { a, _ in a }

    @Test func listsAndLoadsClassesSorted() throws {
        // Given a profiles directory with two classes, a plain file and a hidden directory
        try withFiles(Self.files) { dir throws in
            let catalog = ClassCatalog(directory: dir.appendingPathComponent("profiles"))
            // When listing and loading all
            // Then only the class directories come back, sorted
            #expect(try catalog.classNames().map(\.rawValue) == ["AthlonXP", "PIII"])
            #expect(try catalog.loadAll().map(\.name.rawValue) == ["AthlonXP", "PIII"])
            // And requested classes load in the order asked
            #expect(try catalog.load(["PIII", "AthlonXP"]).map(\.name.rawValue) == ["PIII", "AthlonXP"])
        }
    }

    @Test func unknownClassListsTheKnownOnesAndWhereToAddIt() throws {
        // Given a profiles directory with two classes
        try withFiles(Self.files) { dir in
            let catalog = ClassCatalog(directory: dir.appendingPathComponent("profiles"))
            // When asking for a class that is not there
            // Then the error lists the known classes and says where to add one
            expectConfigError(.unknownClass, file: "profiles", line: nil, "unknown class P3; known classes: AthlonXP, PIII",
                              "profiles/P3/ with class.toml, make.conf and packages") {
                _ = try catalog.load(["PIII", "P3"])
            }
            expectConfigError(.unknownClass, file: "profiles", line: nil, "unknown class PIIII", "did you mean `PIII`?") {
                _ = try catalog.load(["PIIII"])
            }
        }
    }

    @Test func missingProfilesDirectoryIsNamed() throws {
        // Given no profiles directory
        try withFiles([:]) { dir in
            // When listing classes
            // Then the error names the directory and how to configure it
            expectConfigError(.fileNotFound, file: "profiles", line: nil, "cannot list", "`profiles` in workers.conf") {
                _ = try ClassCatalog(directory: dir.appendingPathComponent("profiles")).classNames()
            }
        }
    }
}

@Suite struct PackageSetLineEndingTests {
    @Test func countsLinesInCRLFFiles() throws {
        // Given a packages file written with CRLF line endings and a bad atom on line 3
        let files = ClassProfileTests.classFiles("Win", packages: "sys-apps/openrc\r\n# c\r\nbad atom\r\n")
        try withFiles(files) { dir in
            // When loaded
            // Then the bad line is reported as line 3
            expectConfigError(.invalidValue, file: "packages", line: 3, "invalid atom `bad atom`") {
                _ = try ClassProfile.load(from: dir.appendingPathComponent("profiles/Win"))
            }
        }
    }
}
