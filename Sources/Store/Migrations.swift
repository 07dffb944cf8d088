import GRDB

/// The one list of schema migrations. A migration is never edited once it has shipped: add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: builds and root generations") { db in
            try db.create(table: "build") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("class", .text).notNull()
                t.column("cpv", .text).notNull()
                t.column("worker", .text).notNull()
                t.column("started", .datetime).notNull()
                t.column("finished", .datetime)
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('running', 'succeeded', 'failed', 'interrupted')")
                t.column("exitStatus", .integer)
                t.column("signal", .integer)
                t.column("logPath", .text).notNull()
                t.column("binpkgPath", .text)
                t.column("binpkgSize", .integer)
                t.column("binpkgSHA256", .text)
                t.column("portageBuildID", .integer)
                t.column("chost", .text)
                t.column("cflags", .text)
                t.column("use", .text)
                t.column("failure", .text)
                // A successful build always names its binpkg, with size, digest and the flags it was built with.
                t.check(sql: """
                    status != 'succeeded' OR (finished IS NOT NULL AND binpkgPath IS NOT NULL AND binpkgSize IS NOT NULL
                    AND length(binpkgSHA256) = 64 AND chost IS NOT NULL AND cflags IS NOT NULL AND use IS NOT NULL)
                    """)
                t.check(sql: "status = 'running' OR finished IS NOT NULL")
            }
            try db.create(index: "build_by_class_cpv", on: "build", columns: ["class", "cpv"])
            try db.create(index: "build_by_sha256", on: "build", columns: ["binpkgSHA256"])

            try db.create(table: "generation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("class", .text).notNull()
                t.column("number", .integer).notNull().check { $0 > 0 }
                t.column("created", .datetime).notNull()
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('assembling', 'published', 'failed')")
                t.column("path", .text).notNull()
                // SHA-256 over the class's overlay files: a changed overlay makes a new generation too.
                t.column("overlayDigest", .text).notNull()
                t.column("failure", .text)
                t.uniqueKey(["class", "number"])
            }
            try db.create(table: "generationPackage") { t in
                t.belongsTo("generation", onDelete: .cascade).notNull()
                t.column("cpv", .text).notNull()
                t.belongsTo("build").notNull()
                t.column("sha256", .text).notNull().check(sql: "length(sha256) = 64")
                t.primaryKey(["generationId", "cpv"])
            }
        }
        migrator.registerMigration("v2: imported binpkgs, compatibility keys, quarantine") { db in
            try db.alter(table: "build") { t in
                // 'imported' rows come from `farmctl binpkg import`: what the binpkg says about itself.
                t.add(column: "origin", .text).notNull().defaults(to: "built")
                    .check(sql: "origin IN ('built', 'imported')")
                t.add(column: "compatKey", .text)
            }
            try db.create(table: "quarantine") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("class", .text).notNull()
                t.column("cpv", .text).notNull()
                t.column("kind", .text).notNull().check(sql: "kind IN ('damaged', 'incompatible')")
                t.column("reason", .text).notNull().check(sql: "length(reason) > 0")
                t.column("originalPath", .text).notNull()
                t.column("quarantinePath", .text).notNull().unique()
                t.column("sha256", .text).check(sql: "sha256 IS NULL OR length(sha256) = 64")
                t.column("quarantined", .datetime).notNull()
            }
            try db.create(index: "quarantine_by_class", on: "quarantine", columns: ["class", "cpv"])
        }
        migrator.registerMigration("v3: nodes and build hosts' CPUs") { db in
            try db.create(table: "node") { t in
                t.column("name", .text).primaryKey().check(sql: "length(name) > 0")
                // Lowercase colon form aa:bb:cc:dd:ee:ff, so a MAC names one node however it was typed.
                t.column("mac", .text).notNull().unique()
                    .check(sql: "length(mac) = 17 AND mac = lower(mac) AND mac GLOB '[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]:[0-9a-f][0-9a-f]'")
                t.column("class", .text).notNull()
                t.column("march", .text)
                t.column("modelName", .text)
                t.column("cpuinfo", .text).notNull()
                t.column("cpuinfoSHA256", .text).notNull().check(sql: "length(cpuinfoSHA256) = 64")
                t.column("added", .datetime).notNull()
                t.column("classified", .datetime).notNull()
            }
            try db.create(table: "workerCPU") { t in
                t.column("worker", .text).primaryKey()
                t.column("cpuinfo", .text).notNull()
                t.column("cpuinfoSHA256", .text).notNull().check(sql: "length(cpuinfoSHA256) = 64")
                t.column("read", .datetime).notNull()
            }
        }
        migrator.registerMigration("v4: pruned generations") { db in
            try db.alter(table: "generation") { t in
                // When farmctl deleted the generation's directory (kept beyond `keep_generations`); its record stays.
                t.add(column: "pruned", .datetime)
            }
        }
        migrator.registerMigration("v5: generation kernels") { db in
            try db.alter(table: "generation") { t in
                // `make kernelrelease` of the kernel installed into the root (nil: the class has no [kernel]).
                t.add(column: "kernelRelease", .text).check(sql: "kernelRelease IS NULL OR length(kernelRelease) > 0")
                // The kernel's and its modules' cache keys: a change means other kernel or module files.
                t.add(column: "kernelKey", .text).check(sql: "(kernelKey IS NULL) = (kernelRelease IS NULL)")
            }
        }
        migrator.registerMigration("v6: runs") { db in
            // One `farmctl build` or `nightly` run: who ran it, the repository states it was pinned to, how it ended.
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("command", .text).notNull().check(sql: "command IN ('build', 'nightly')")
                t.column("classes", .text).notNull()
                t.column("started", .datetime).notNull()
                t.column("finished", .datetime)
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('running', 'succeeded', 'failed', 'interrupted')")
                t.column("pid", .integer).notNull()
                t.column("host", .text).notNull()
                // JSON: [{"repository": name, "path": dir, "state": "git:<commit>" or "tree:<digest>"}], set once pinned.
                t.column("inputs", .text)
                // JSON: the run's summary (per class and worker), set when it finishes.
                t.column("summary", .text)
                t.column("failure", .text)
                t.check(sql: "status = 'running' OR finished IS NOT NULL")
                t.check(sql: "status != 'failed' OR failure IS NOT NULL OR summary IS NOT NULL")
            }
            try db.alter(table: "build") { t in
                t.add(column: "runId", .integer).references("run")
                // When `farmctl gc` deleted the binpkg file (no kept generation holds it).
                t.add(column: "binpkgRemoved", .datetime)
            }
            try db.create(index: "build_by_run", on: "build", columns: ["runId"])
            try db.create(index: "build_by_binpkg_path", on: "build", columns: ["binpkgPath"])
            try db.alter(table: "generation") { t in
                t.add(column: "runId", .integer).references("run")
            }
        }
        migrator.registerMigration("v7: seed stages") { db in
            try db.alter(table: "generation") { t in
                // `sha256:<hex>` of the seed stage ([base] stage) the root started from; NULL: no stage.
                t.add(column: "stageDigest", .text).check(sql: "stageDigest IS NULL OR stageDigest LIKE 'sha256:%'")
            }
        }
        migrator.registerMigration("v8: ISA audit") { db in
            try db.alter(table: "generation") { t in
                // The pre-publish ISA audit of the farm-built packages: `pass`, or the violations in one line
                // (`warn: …` when published anyway, `fail: …` under strict_isa); NULL: not audited (older rows).
                t.add(column: "isaAudit", .text)
            }
        }
        migrator.registerMigration("v9: no-op memo") { db in
            // Per class: the key of every input a plan depends on (`NoOpMemo`), when a run planned nothing to do from
            // exactly those inputs; a run whose key matches answers "unchanged" without emerge. Dropped on any change.
            try db.create(table: "noOpMemo") { t in
                t.primaryKey("class", .text)
                t.column("key", .text).notNull()
                t.column("generation", .integer).notNull()
                t.column("runId", .integer).notNull().references("run")
            }
        }
        return migrator
    }
}
