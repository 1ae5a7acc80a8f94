import Foundation
import Testing

#if canImport(GRDB)
    import GRDB
#endif

/// The command-line contract about ledger files: demo, verify, and the storage errors.
extension CLIContractTests {
    // MARK: demo

    @Test("demo --db NEW bills the seed pricing models and prints their figures")
    func demoOnNewFile() throws {
        let sb = try Sandbox()
        let file = sb.path("demo.sqlite")
        // The appendix's form: `ledger demo --db PATH`.
        let human = LedgerBinary.execute(
            ["--now", defaultNow, "demo", "--db", file], environment: Self.environment(), cwd: sb.dir)
        #expect(human.status == 0, "\(human)")
        #expect(human.stdout.contains("150.00 usd"), "P3's 250,000 tokens: \(human.stdout)")
        // One money convention: major units, grouped, lowercase code; credits under their line.
        let rows = humanRows(human.stdout)
        #expect(rows.contains { $0.prefix(2) == ["Alpaca AI tokens (usage)", "3000"] }, "\(human.stdout)")
        // Each invoice table's quantities and amounts are flush right: every line of a table, its
        // header too, ends at the amounts' right edge.
        let tables = human.stdout.components(separatedBy: "\n\n").compactMap { block -> [Substring]? in
            let lines = block.split(separator: "\n")
            guard let header = lines.firstIndex(where: { $0.hasPrefix("NUMBER") }) else { return nil }
            return Array(lines[header...])
        }
        #expect(tables.count == 4, "P1–P4: \(human.stdout)")
        for table in tables {
            #expect(Set(table.map(\.count)).count == 1, "ragged table:\n\(table.joined(separator: "\n"))")
        }
        #expect(
            rows.contains(["INV-000003", "paid", "2026-01-01 → 2026-01-01", "100,000.00 usd"]),
            "P4's funding invoice: \(human.stdout)")
        let usage = try #require(
            rows.firstIndex(of: ["Hypernian Pro (usage)", "250000", "2026-01-01 → 2026-02-01", "150.00 usd"])
                .flatMap { rows[($0 + 1)...].first(where: { $0.first?.hasPrefix("credit from") == true }) },
            "\(human.stdout)")
        #expect(usage == ["credit from credgr_enterprise", "-150.00 usd"], "\(human.stdout)")
        #expect(
            human.stdout.contains("credit balance 2026-04-01: ledger 119,850.00 usd, available 119,850.00 usd"),
            "\(human.stdout)")
        #expect(rows.contains(["revenue:breakage:credgr_enterprise", "-99,875.00 usd"]), "\(human.stdout)")
        #expect(rows.contains(["30", "0.015 usd", "0.02 usd"]), "0.05 cent × 30, exact then rounded: \(human.stdout)")
        #expect(!human.stdout.contains("USD") && !human.stdout.contains("cents"), "\(human.stdout)")
        #expect(human.stdout.contains("verify: ok"), "\(human.stdout)")
        #expect(FileManager.default.fileExists(atPath: file))

        let jsonFile = sb.path("demo-json.sqlite")
        let demo = try ok(["demo"], db: jsonFile)
        let invoices = try #require(
            (demo["billing"] as? [String: Any])?["data"] as? [[String: Any]], "\(canonical(demo))")
        func totals(_ customer: String) -> [Int64] {
            invoices.filter { $0["customer"] as? String == customer }.compactMap { int64($0["total"]) }
        }
        #expect(totals("cus_john") == [120, 4, 0], "P1: 3000 tokens → 120, 25 → 4, 0 → 0")
        #expect(totals("cus_acme") == [30_000, 38_000, 30_000, 46_000], "P2 with 3 seats: licence 30000 + overage")
        #expect(totals("cus_pro") == [20_000, 35_000, 20_001, 20_000], "P3: 250000 → 15000, 100005 → 1, 100000 → 0")
        let statuses = invoices.filter { $0["customer"] as? String == "cus_john" }.compactMap {
            $0["status"] as? String
        }
        #expect(statuses == ["paid", "open", "paid"], "January paid, February open, March zero → paid")
        let quotes = try #require((demo["quotes"] as? [String: Any])?["data"] as? [[String: Any]], "\(canonical(demo))")
        func amount(_ quantity: String) -> [Int64] {
            quotes.filter { $0["quantity_decimal"] as? String == quantity }.compactMap { int64($0["amount"]) }
        }
        #expect(amount("12") == [6600, 11100], "P5 flat fees: volume 6600, graduated 11100")
        #expect(amount("30").contains(2), "0.05 × 30 → 2")
        // The file it built verifies.
        let verify = try ok(["verify"], db: jsonFile)
        #expect(verify["ok"] as? Bool == true)
    }

    @Test("demo on an existing file is rejected and leaves it as it was")
    func demoOnExistingFile() throws {
        // A file: `demo` makes ledger files only (a PostgreSQL URL is refused with 74).
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "Keep me"], db: sb.file)
        try rejected(["demo"], db: sb.file, codes: [65])
        // And in the appendix's form.
        let before = DatabaseSnapshot(sb.file)
        let r = LedgerBinary.execute(
            ["--now", defaultNow, "demo", "--db", sb.file], environment: Self.environment(), cwd: sb.dir)
        #expect(r.status == 65, "\(r)")
        #expect(errorCode(fromHuman: r.stderr) != nil, "\(r.stderr)")
        #expect(DatabaseSnapshot(sb.file) == before)
        let list = try ok(["customers", "list"], db: sb.file)
        #expect((list["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["cus_1"])
    }

    // MARK: verify

    @Test("verify refuses a missing file (66, nothing created) and exits 0 on a new file and on a catalog")
    func verifyFresh() throws {
        // A file: database_missing is about files, and `verify` checks SQLite's integrity.
        let sb = try Sandbox()
        let missing = run(["verify"], db: sb.file, json: false)
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(missing.stderr.hasPrefix("error: database_missing: "), "\(missing.stderr)")
        #expect(!databaseExists(sb.file))
        try ok(["customers", "create", "--id", "cus_0"], db: sb.file)
        let fresh = run(["verify"], db: sb.file, json: false)
        #expect(fresh.status == 0, "\(fresh.stderr)")
        #expect(!fresh.stdout.isEmpty)
        let json = try ok(["verify"], db: sb.file)
        #expect(json["ok"] as? Bool == true, "\(canonical(json))")
        #expect((json["findings"] as? [Any])?.isEmpty == true, "\(canonical(json))")
        try ok(["customers", "create", "--id", "cus_1"], db: sb.file)
        try ok(["products", "create", "--id", "prod_1", "--name", "P"], db: sb.file)
        try ok(["prices", "create", "--product", "prod_1", "--currency", "usd", "--unit-amount", "5"], db: sb.file)
        #expect(run(["verify"], db: sb.file).status == 0)
    }

    // MARK: Storage errors (exit 74)

    @Test("a file from a newer schema is refused with 74 and left unchanged")
    func newerSchemaRefused() throws {
        // A file: the migration identifier is written with GRDB (or the sqlite3 shell).
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "Old"], db: sb.file)
        try Self.addMigrationIdentifier("9999_future", to: sb.file)
        for args in [["customers", "list"], ["customers", "create", "--name", "New"], ["verify"]] {
            let r = try rejected(args, db: sb.file, codes: [74])
            #expect(r.stderr.lowercased().contains("newer schema"), "\(r.stderr)")
        }
        let json = try rejected(["customers", "show", "cus_1"], db: sb.file, codes: [74], json: true)
        #expect(json.stderr.lowercased().contains("newer schema"), "\(json.stderr)")
    }

    @Test("a file of garbage bytes gives 74 and is left unchanged")
    func garbageFile() throws {
        let sb = try Sandbox()
        var bytes = Data()
        var state: UInt32 = 12345
        for _ in 0..<8192 {
            state = state &* 1_103_515_245 &+ 12345
            bytes.append(UInt8(truncatingIfNeeded: state >> 16))
        }
        let file = try sb.file("garbage.sqlite", bytes)
        for args in [["customers", "list"], ["customers", "create", "--name", "X"], ["verify"]] {
            let r = try rejected(args, db: file, codes: [74])
            #expect(r.stdout.isEmpty, "\(r.stdout)")
        }
        #expect(FileManager.default.contents(atPath: file) == bytes)
        let text = try sb.file("text.sqlite", Data(String(repeating: "not a ledger\n", count: 400).utf8))
        try rejected(["customers", "list"], db: text, codes: [74])
    }

    @Test("an existing file is byte-identical after a rejected request")
    func existingFileUnchangedAfterRejection() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "A"], db: sb.db)
        try ok(["products", "create", "--id", "prod_1", "--name", "P"], db: sb.db)
        let before = DatabaseSnapshot(sb.db)
        try rejected(
            [
                "prices", "create", "--product", "prod_1", "--currency", "usd", "--unit-amount", "5", "--metadata",
                "bad",
            ],
            db: sb.db, codes: [65], code: "invalid_metadata")
        try rejected(["customers", "create", "--id", "cus_1"], db: sb.db, codes: [65], code: "resource_already_exists")
        #expect(DatabaseSnapshot(sb.db) == before)
        let prices = try ok(["prices", "list"], db: sb.db)
        #expect((prices["data"] as? [Any])?.isEmpty == true)
    }

    /// Inserts an unknown migration identifier, as a newer version of the ledger would have.
    static func addMigrationIdentifier(_ identifier: String, to path: String) throws {
        #if canImport(GRDB)
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [identifier])
            }
            try queue.close()
        #else
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sqlite3", path, "INSERT INTO grdb_migrations (identifier) VALUES ('\(identifier)');"]
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0, "sqlite3 could not edit \(path)")
        #endif
    }
}
