import Foundation
import Testing

/// `ledger export KIND` through the binary: every kind read back by Python's `csv` module with
/// every value intact, the lineage grant → invoice line → events rebuilt from three files, `-o`
/// atomic, and a tampered journal still exported while `verify` names the entry.

/// Parses CSV text with Python's `csv` module into rows of cells.
private func pythonCSV(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [[String]] {
    let sb = try Sandbox()
    let file = try sb.file("in.csv", Data(text.utf8))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "python3", "-c",
        "import csv,sys,json; sys.stdout.write(json.dumps(list(csv.reader(open(sys.argv[1], newline='', encoding='utf-8')))))",
        file,
    ]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "python3 csv failed", sourceLocation: sourceLocation)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [[String]], sourceLocation: sourceLocation)
}

/// `export ARGS` (requires exit 0) as records keyed by the header; text cells with the one added
/// `'` removed (README: a text cell starting with `'` carries exactly one added `'`).
private func export(
    _ args: [String], _ db: String, now: String = "2026-02-10T00:00:00Z",
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> (raw: String, records: [[String: String]]) {
    let r = run(["export"] + args, db: db, now: now, json: false)
    try #require(r.status == 0, "export \(args) → \(r.status): \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.isEmpty, "stderr: \(r.stderr)", sourceLocation: sourceLocation)
    let rows = try pythonCSV(r.stdout, sourceLocation: sourceLocation)
    let header = try #require(rows.first, "no header", sourceLocation: sourceLocation)
    let records = rows.dropFirst().map { row in
        #expect(row.count == header.count, "ragged row \(row)", sourceLocation: sourceLocation)
        return Dictionary(uniqueKeysWithValues: zip(header, row.map(unneutralized)))
    }
    return (r.stdout, records)
}

private func unneutralized(_ cell: String) -> String { cell.hasPrefix("'") ? String(cell.dropFirst()) : cell }

/// Hostile text: commas, quotes, newlines, formula starts, non-ASCII.
private let hostile = [
    "Doe, \"Jr\"\nsecond line", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "Zoë 東京 ✓", "'quoted",
    "\tTab", "plain",
]

private let feb = "2026-02-01T01:00:00Z"

@Suite("export through the binary")
struct ExportCLITests {
    /// A ledger with hostile names on every kind, usage, two grants, a late and a cancelled event,
    /// billed at February's boundary.
    /// The standard fixture with hostile text; a file when `file` (the tests that edit it with
    /// the sqlite3 shell).
    private func build(_ sb: Sandbox, file: Bool = false) throws -> String {
        let db = try file ? CLIFixture.standard.copyFile(into: sb) : CLIFixture.standard.copy(into: sb)
        for (i, name) in hostile.enumerated() {
            try ok(["customers", "create", "--id", "cus_h\(i)", "--name=\(name)", "--email=\(name)"], db: db)
            try ok(
                [
                    "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "\(100 + i)",
                    "--description=\(name)",
                ], db: db)
            try ok(
                [
                    "grants", "create", "--customer", "cus_h\(i)", "--amount", "10", "--currency", "usd",
                    "--name=\(name)",
                    "--scope", "metered", "--id", "credgr_h\(i)",
                ], db: db)
        }
        for (i, name) in hostile.enumerated() {
            try ok(
                ["meters", "create", "--id", "mtr_h\(i)", "--display-name=\(name)", "--event-name", "h\(i)"], db: db)
            try ok(["products", "create", "--id", "prod_h\(i)", "--name=\(name)", "--description=\(name)"], db: db)
            try ok(
                [
                    "prices", "create", "--id", "price_h\(i)", "--product", "prod_h\(i)", "--currency", "usd",
                    "--nickname=\(name)", "--interval", "month", "--usage-type", "metered", "--meter", "mtr_h\(i)",
                    "--tiers-mode", "graduated", "--tier", "up_to=1000,unit_amount=0", "--tier",
                    "up_to=inf,unit_amount_decimal=0.5,flat_amount=100",
                ], db: db)
        }
        try subscribe(db, "cus_1", ["price_m1", "price_m2"], id: "sub_x")
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "5000", "--currency", "usd", "--scope",
                "metered",
                "--id", "credgr_a", "--priority", "1",
            ], db: db)
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "3000", "--currency", "usd", "--scope",
                "metered",
                "--id", "credgr_b", "--priority", "2",
            ], db: db)
        for (i, value) in [4000, -8, 2008].enumerated() {
            try usage(db, "a_tokens", "cus_1", value, at: "2026-01-1\(i + 1)T00:00:00Z", id: "=a\(i),x")
        }
        try usage(db, "b_tokens", "cus_1", 4000, at: "2026-01-20T00:00:00Z", id: "b-1")
        try usage(db, "b_tokens", "cus_1", 77, at: "2026-01-21T00:00:00Z", id: "b-cancelled")
        try ok(
            ["events", "cancel", "--event-name", "b_tokens", "--identifier", "b-cancelled"], db: db,
            now: "2026-01-22T00:00:00Z")
        try ok(["bill"], db: db, now: feb)
        // Late: recorded after January's invoice was finalized, timestamped in January.
        try usage(db, "a_tokens", "cus_1", 500, at: "2026-01-25T00:00:00Z", id: "a-late", now: "2026-02-02T00:00:00Z")
        try usage(db, "a_tokens", "cus_1", 9, at: "2026-02-03T00:00:00Z", id: "a-unbilled")
        return db
    }

    @Test("every kind reads back through Python's csv with hostile text intact; negative amounts stay numbers")
    func roundTrip() throws {
        let sb = try Sandbox()
        let db = try build(sb)
        let customers = try export(["customers"], db).records
        for (i, name) in hostile.enumerated() {
            let c = try #require(customers.first { $0["customer_id"] == "cus_h\(i)" })
            #expect(c["name"] == name && c["email"] == name, "\(c)")
        }
        let raw = try export(["customers"], db).raw
        #expect(raw.contains("'=HYPERLINK") && raw.contains(",'+1,") && raw.contains(",'@SUM(A1),"), "\(raw)")
        #expect(raw.contains("\r\n"), "CRLF line ends")
        let items = try export(["invoice-items"], db).records
        for (i, name) in hostile.enumerated() {
            #expect(items.contains { $0["description"] == name && $0["amount_minor"] == "\(100 + i)" }, "\(name)")
        }
        let grants = try export(["credit-grants", "--customer", "cus_h4"], db).records
        #expect(grants.count == 1 && grants[0]["name"] == hostile[4] && grants[0]["amount_decimal"] == "0.10")
        #expect(try export(["grants"], db).records.count == hostile.count + 2)
        let events = try export(["events"], db).records
        #expect(events.contains { $0["identifier"] == "=a1,x" && $0["value_decimal"] == "-8" }, "\(events)")
        let journal = try export(["journal"], db)
        #expect(journal.raw.contains(",-5000,-50.00"), "negative amounts are plain numbers")
        var sums: [String: Int64] = [:]
        for p in journal.records { sums[p["entry_id"]!, default: 0] += Int64(p["amount_minor"]!)! }
        #expect(!sums.isEmpty && sums.values.allSatisfy { $0 == 0 }, "\(sums)")
        let txns = try export(["credit-transactions"], db).records
        #expect(txns.contains { $0["kind"] == "credits_applied" && $0["signed_amount_minor"]!.hasPrefix("-") })
        for kind in ["invoices", "invoice-lines", "subscriptions"] {
            #expect(!(try export([kind], db).records.isEmpty), "\(kind)")
        }
        // The catalog: hostile display names, names, descriptions and nicknames intact; tiers.
        let meters = try export(["meters"], db).records
        let products = try export(["products"], db).records
        let prices = try export(["prices"], db).records
        for (i, name) in hostile.enumerated() {
            #expect(meters.first { $0["meter_id"] == "mtr_h\(i)" }?["display_name"] == name)
            let product = products.first { $0["product_id"] == "prod_h\(i)" }
            #expect(product?["name"] == name && product?["description"] == name && product?["active"] == "true")
            let price = try #require(prices.first { $0["price_id"] == "price_h\(i)" })
            #expect(price["nickname"] == name && price["meter_id"] == "mtr_h\(i)" && price["usage_type"] == "metered")
            #expect(price["tiers"] == "1000:0:;:0.5:100" && price["tiers_mode"] == "graduated", "\(price)")
        }
        #expect(prices.first { $0["price_id"] == "price_m1" }?["unit_amount_decimal"] == "1")
        #expect(prices.first { $0["price_id"] == "price_archived" }?["active"] == "false")
        for kind in ["meters", "products", "prices"] {
            try rejected(["export", kind, "--customer", "cus_1"], db: db, codes: [65], code: "invalid_request")
        }
        let subs = try export(["subscriptions"], db).records
        #expect(subs.first { $0["subscription_id"] == "sub_x" }?["items"] == "price_m1:;price_m2:", "\(subs)")
        let lines = try export(["invoice-lines"], db).records
        #expect(hostile.allSatisfy { name in lines.contains { $0["description"] == name } })
        // --from/--to filter on each kind's instant.
        let january = try export(["events", "--from", "2026-01-12T00:00:00Z", "--to", "2026-01-13T00:00:00Z"], db)
        #expect(january.records.map { $0["identifier"] } == ["=a1,x"])
        // The journal as plain text: each format's own checker accepts the file (CI installs both).
        for (format, checker) in [
            ("hledger", ["hledger", "-f", "FILE", "check", "-s"]), ("beancount", ["bean-check", "FILE"]),
        ] {
            let file = sb.path("journal.\(format)")
            let r = run(["export", "journal", "--format", format, "-o", file], db: db, json: false)
            #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.contains(format == "hledger" ? "commodity" : "open "), "\(format)")
            let tool = Process()
            tool.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            tool.arguments = checker.map { $0 == "FILE" ? file : $0 }
            tool.standardOutput = FileHandle.nullDevice
            tool.standardError = FileHandle.nullDevice
            let found = (try? tool.run()) != nil
            if found { tool.waitUntilExit() }
            if found && tool.terminationStatus != 127 {
                #expect(tool.terminationStatus == 0, "\(checker[0]) refused the export: \(text.prefix(2_000))")
            } else {
                #expect(ProcessInfo.processInfo.environment["CI"] == nil, "\(checker[0]) is missing in CI")
            }
        }
        try rejected(["export", "invoices", "--format", "hledger"], db: db, codes: [65], code: "invalid_request")
        try rejected(["export", "journal", "--customer", "cus_1"], db: db, codes: [65], code: "invalid_request")
        try rejected(["export", "nothing"], db: db, codes: [65], code: "invalid_request")
        try rejected(["export", "events"], db: sb.path("missing.sqlite"), codes: [66], code: "database_missing")
    }

    @Test(
        "lineage: events naming a line sum to its quantity; credits per grant from credit-transactions equal its credits"
    )
    func lineage() throws {
        let sb = try Sandbox()
        let db = try build(sb)
        let files = ["invoice-lines", "events", "credit-transactions"].map { sb.path("\($0).csv") }
        for (kind, file) in zip(["invoice-lines", "events", "credit-transactions"], files) {
            let r = run(["export", kind, "-o", file], db: db, now: "2026-02-10T00:00:00Z", json: false)
            #expect(r.status == 0 && r.stdout.isEmpty, "\(r)")
        }
        func records(_ file: String) throws -> [[String: String]] {
            let rows = try pythonCSV(try String(contentsOfFile: file, encoding: .utf8))
            return rows.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(rows[0], $0.map(unneutralized))) }
        }
        let lines = try records(files[0])
        let events = try records(files[1])
        let txns = try records(files[2])
        let billed = lines.filter {
            $0["meter_id"] != "" && $0["invoice_status"] == "open" && $0["quantity_decimal"] != "0"
        }
        #expect(billed.count == 2, "\(lines)")
        var creditedGrants = Set<String>()
        for line in billed {
            let id = line["line_id"]!
            let naming = events.filter { $0["invoice_line_id"]!.split(separator: ";").contains(Substring(id)) }
            #expect(!naming.isEmpty)
            #expect(naming.allSatisfy { $0["invoice_id"] == line["invoice_id"] })
            let sum = naming.reduce(Decimal(0)) { $0 + Decimal(string: $1["value_decimal"]!)! }
            #expect(sum == Decimal(string: line["quantity_decimal"]!)!, "\(id): \(naming) vs \(line)")
            var perGrant: [String: Int64] = [:]
            for t in txns where t["invoice_line_id"] == id && t["kind"] == "credits_applied" {
                perGrant[t["grant_id"]!, default: 0] += Int64(t["amount_minor"]!)!
            }
            let rebuilt = perGrant.keys.sorted().map { "\($0):\(perGrant[$0]!)" }.joined(separator: ";")
            #expect(rebuilt == line["credits"], "\(id)")
            #expect(perGrant.values.reduce(0, +) == Int64(line["credit_minor"]!)!)
            creditedGrants.formUnion(perGrant.keys)
        }
        #expect(creditedGrants == ["credgr_a", "credgr_b"])
        let late = try #require(events.first { $0["identifier"] == "a-late" })
        #expect(late["late"] == "true" && late["invoice_line_id"] == "")
        let cancelled = try #require(events.first { $0["identifier"] == "b-cancelled" })
        #expect(cancelled["cancelled"] == "true" && cancelled["invoice_line_id"] == "")
        #expect(events.first { $0["identifier"] == "a-unbilled" }?["invoice_line_id"] == "")
    }

    @Test("an event billed by two subscriptions on its meter is one row naming both lines and both invoices")
    func eventBilledTwice() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_2", ["price_m1"], id: "sub_p", now: "2026-01-01T00:00:00Z")
        try subscribe(db, "cus_2", ["price_m1"], id: "sub_q", now: "2026-01-10T00:00:00Z")
        try usage(db, "a_tokens", "cus_2", 3, at: "2026-01-05T00:00:00Z", id: "only-p", now: "2026-01-16T00:00:00Z")
        try usage(db, "a_tokens", "cus_2", 7, at: "2026-01-15T00:00:00Z", id: "both", now: "2026-01-16T00:00:00Z")
        try ok(["bill"], db: db, now: "2026-02-11T02:00:00Z")
        let lines = try export(["invoice-lines", "--customer", "cus_2"], db, now: "2026-02-12T00:00:00Z").records
            .filter { $0["meter_id"] == "mtr_a" && $0["quantity_decimal"] != "0" }
        let p = try #require(lines.first { $0["quantity_decimal"] == "10" }, "\(lines)")
        let q = try #require(lines.first { $0["quantity_decimal"] == "7" }, "\(lines)")
        let events = try export(["events", "--customer", "cus_2"], db, now: "2026-02-12T00:00:00Z").records
        #expect(events.map { $0["identifier"] } == ["only-p", "both"])
        #expect(events[0]["invoice_line_id"] == p["line_id"] && events[0]["invoice_id"] == p["invoice_id"])
        let both = Set(events[1]["invoice_line_id"]!.split(separator: ";").map(String.init))
        #expect(both == [p["line_id"]!, q["line_id"]!], "\(events[1])")
        let invoices = Set(events[1]["invoice_id"]!.split(separator: ";").map(String.init))
        #expect(invoices == [p["invoice_id"]!, q["invoice_id"]!], "\(events[1])")
    }

    @Test("-o renames a complete file into place; a failed export leaves the old file and no temporary")
    func atomicOutput() throws {
        let sb = try Sandbox()
        let db = try build(sb, file: true)
        let out = sb.path("items.csv")
        let stdout = run(["export", "invoice-items"], db: db, json: false).stdout
        #expect(run(["export", "invoice-items", "-o", out], db: db, json: false).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == stdout)
        // A row the ledger cannot have written fails the export half way: storage_error (74).
        try sqlite(db, "UPDATE invoiceItem SET currency = 'zzz' WHERE seq = (SELECT max(seq) FROM invoiceItem)")
        let r = run(["export", "invoice-items", "-o", out], db: db, json: false)
        #expect(r.status == 74 && r.stderr.hasPrefix("error: storage_error:"), "\(r)")
        #expect(try String(contentsOfFile: out, encoding: .utf8) == stdout, "the old file is untouched")
        let fresh = sb.path("fresh.csv")
        #expect(run(["export", "invoice-items", "-o", fresh], db: db, json: false).status == 74)
        #expect(!FileManager.default.fileExists(atPath: fresh))
        #expect(run(["export", "events", "-o", fresh], db: sb.path("none.sqlite"), json: false).status == 66)
        #expect(!FileManager.default.fileExists(atPath: fresh))
        let left = try FileManager.default.contentsOfDirectory(atPath: sb.dir.path).filter { $0.contains(".tmp-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test("a posting deleted behind the ledger's back: verify exits 1 naming the entry; export journal still works")
    func tamperedJournal() throws {
        let sb = try Sandbox()
        let db = try build(sb, file: true)
        let before = try export(["journal"], db).records
        let victim = try #require(before.first { $0["source_type"] == "invoice.finalized" })
        let entry = victim["entry_id"]!
        try sqlite(
            db,
            "DROP TRIGGER posting_no_delete; DELETE FROM posting WHERE entryId = '\(entry)' AND position = \(victim["position"]!)"
        )
        let v = run(["verify"], db: db, now: "2026-02-10T00:00:00Z", json: false)
        #expect(v.status == 1 && (v.stdout + v.stderr).contains(entry), "\(v)")
        let after = try export(["journal"], db).records
        #expect(after.count == before.count - 1)
        #expect(after.filter { $0["entry_id"] == entry }.count == before.filter { $0["entry_id"] == entry }.count - 1)
    }
}

/// Runs SQL on the file with the sqlite3 shell (outside the ledger, as a tamperer would).
func sqlite(_ db: String, _ sql: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sqlite3", db, sql]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "sqlite3 \(sql)", sourceLocation: sourceLocation)
}
