import Foundation
import Testing

/// The trust fixes through the binary: a line that overflows, held and scoped credit, writes
/// after a due step, the clock, reads on a missing file.
@Suite("trust: edges, the clock and reads through the binary")
struct TrustCLITests {
    /// Customers `cus_a`, `cus_b`; meter `mtr_u` (event `units`); prices `price_u` (1 a unit),
    /// `price_huge` (99999999999999999999 a unit), `price_eur` (eur, 1 a unit), all metered monthly
    /// on `mtr_u`, and `price_lic` (1000 monthly licensed).
    static let fixture = CLIFixture(
        "the trust fixture",
        steps: [
            CatalogStep.customer("cus_a", "A"),
            CatalogStep.customer("cus_b", "B"),
            CatalogStep.meter("mtr_u", "Units", event: "units"),
            CatalogStep.product("prod_p", "P"),
            CatalogStep.price("price_u", product: "prod_p", ["--unit-amount", "1"] + CatalogStep.metered("mtr_u")),
            CatalogStep.price(
                "price_huge", product: "prod_p",
                ["--unit-amount-decimal", "99999999999999999999"] + CatalogStep.metered("mtr_u")),
            CatalogStep.price("price_lic", product: "prod_p", ["--unit-amount", "1000"] + CatalogStep.licensed),
            CatalogStep.price(
                "price_eur", product: "prod_p", currency: "eur", ["--unit-amount", "1"] + CatalogStep.metered("mtr_u")),
        ])

    /// A copy of the fixture as `sb`'s ledger; returns its path.
    func fresh(_ sb: Sandbox) throws -> String { try Self.fixture.copy(into: sb) }

    @Test("bill: an overflowing invoice stays a draft with its reason; everyone else is billed; verify lists it")
    func overflowFailsOneInvoice() throws {
        let sb = try Sandbox()
        let db = try fresh(sb)
        try ok(["subscriptions", "create", "--customer", "cus_a", "--item", "price_huge", "--id", "sub_a"], db: db)
        try ok(["subscriptions", "create", "--customer", "cus_b", "--item", "price_u", "--id", "sub_b"], db: db)
        try usage(db, "units", "cus_a", "999999999999999", at: "2026-01-10T00:00:00Z", id: "a-1")
        try usage(db, "units", "cus_b", "250", at: "2026-01-10T00:00:00Z", id: "b-1")
        let report = try ok(["bill"], db: db, now: "2026-02-01T01:00:00Z")
        #expect(int64(report["invoices_finalized"]) == 1, "\(report)")
        let failed = try #require(report["invoices_failed"] as? [[String: Any]], "\(report)")
        #expect(failed.count == 1)
        #expect(failed.first?["customer"] as? String == "cus_a")
        #expect(failed.first?["code"] as? String == "amount_overflow")
        let human = run(["bill"], db: db, now: "2026-02-01T01:00:00Z", json: false)
        #expect(human.status == 0)
        #expect(human.stdout.contains("0 failed"), "a failed draft is not retried: \(human.stdout)")
        let list = try ok(["invoices", "list", "--customer", "cus_a"], db: db, now: "2026-02-01T01:00:00Z")
        let draft = try #require((list["data"] as? [[String: Any]])?.first)
        #expect(draft["status"] as? String == "draft")
        #expect((draft["last_finalization_error"] as? [String: Any])?["code"] as? String == "amount_overflow")
        let billed = try ok(["invoices", "list", "--customer", "cus_b"], db: db, now: "2026-02-01T01:00:00Z")
        #expect((billed["data"] as? [[String: Any]])?.first?["total"] as? Int == 250)
        let verify = run(["verify"], db: db, now: "2026-02-01T01:00:00Z", json: false)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("FAIL invoice_not_finalized"), "\(verify.stdout)")
        #expect(verify.stdout.contains(draft["id"] as? String ?? "?"), "\(verify.stdout)")
    }

    @Test("balance --scope-price: a licensed price or another currency has no credit")
    func scopedBalance() throws {
        let sb = try Sandbox()
        let db = try fresh(sb)
        try ok(
            ["grants", "create", "--customer", "cus_a", "--amount", "700", "--currency", "usd", "--scope", "metered"],
            db: db)
        func value(_ price: String) throws -> [Int] {
            let b = try ok(["balance", "--customer", "cus_a", "--scope-price", price], db: db)
            return (b["balances"] as? [[String: Any]] ?? []).compactMap {
                (($0["available_balance"] as? [String: Any])?["monetary"] as? [String: Any])?["value"] as? Int
            }
        }
        #expect(try value("price_u") == [700])
        #expect(try value("price_lic") == [0])
        #expect(try value("price_eur") == [0])
        try rejected(
            ["balance", "--customer", "cus_a", "--scope-price", "price_missing"], db: db, codes: [65],
            code: "resource_missing")
    }

    @Test("events cancel after the draft's finalization instant, bill not run: event_already_invoiced")
    func cancelAfterTheFinalizationInstant() throws {
        let sb = try Sandbox()
        let db = try fresh(sb)
        try ok(["subscriptions", "create", "--customer", "cus_a", "--item", "price_u"], db: db)
        try usage(db, "units", "cus_a", "100", at: "2026-01-10T00:00:00Z", id: "e-1")
        try rejected(
            ["events", "cancel", "--event-name", "units", "--identifier", "e-1"], db: db, codes: [65],
            code: "event_already_invoiced", now: "2026-02-01T01:00:00Z")
        try ok(["bill"], db: db, now: "2026-02-01T01:00:00Z")
        let list = try ok(["invoices", "list", "--customer", "cus_a"], db: db, now: "2026-02-01T01:00:00Z")
        #expect((list["data"] as? [[String: Any]])?.first?["total"] as? Int == 100)
        let event = try ok(["events", "show", "e-1"], db: db, now: "2026-02-01T01:00:00Z")
        #expect(isNull(event["cancelled_at"]) || event["cancelled_at"] == nil, "\(event)")
    }

    @Test("the clock: --until after now refused, a test clock moves forward only, --allow-clock-regression")
    func clock() throws {
        let sb = try Sandbox()
        let db = try fresh(sb)
        // On the system clock, a run to a future instant is refused and writes nothing.
        let before = DatabaseSnapshot(db)
        let future = LedgerBinary.execute(["--db", db, "bill", "--until", "2099-01-01"])
        #expect(future.status == 65, "\(future)")
        #expect(
            future.stderr.hasPrefix("error: invalid_request: --until (until): until 2099-01-01T00:00:00Z is after now"))
        #expect(DatabaseSnapshot(db) == before)
        // Under a test clock, bill --until T moves the clock to T.
        try ok(["subscriptions", "create", "--customer", "cus_a", "--item", "price_u"], db: db)
        try ok(["bill", "--until", "2026-02-01T01:00:00Z"], db: db, now: "2026-01-01T00:00:00Z")
        try rejected(
            [
                "events", "record", "--event-name", "units", "--customer", "cus_a", "--value", "5", "--timestamp",
                "2026-01-20T00:00:00Z",
            ], db: db, codes: [65], code: "clock_regression", now: "2026-01-20T00:00:00Z")
        try rejected(
            ["grants", "create", "--customer", "cus_a", "--amount", "5", "--currency", "usd", "--scope", "metered"],
            db: db, codes: [65], code: "clock_regression", now: "2026-01-31T00:00:00Z")
        // The override is explicit.
        try ok(
            [
                "--allow-clock-regression", "grants", "create", "--customer", "cus_a", "--amount", "5", "--currency",
                "usd", "--scope", "metered",
            ], db: db, now: "2026-01-31T00:00:00Z")
        // Reads at an earlier instant are fine: they change nothing.
        try ok(["balance", "--customer", "cus_a"], db: db, now: "2026-01-15T00:00:00Z")
    }

    @Test("balance --accounts defaults to now: a grant effective next month is not in today's books")
    func accountsAsOfNow() throws {
        let sb = try Sandbox()
        let db = try fresh(sb)
        try ok(
            [
                "grants", "create", "--customer", "cus_a", "--amount", "900", "--currency", "usd", "--category",
                "promotional", "--scope", "metered", "--effective-at", "2026-03-01T00:00:00Z",
            ], db: db)
        let today = try ok(["balance", "--accounts"], db: db)
        #expect((today["data"] as? [Any])?.isEmpty == true, "\(today)")
        let march = try ok(["balance", "--accounts"], db: db, now: "2026-03-01T00:00:00Z")
        let accounts = (march["data"] as? [[String: Any]] ?? []).compactMap { $0["account"] as? String }
        #expect(accounts.contains("expenses:promotional_credits"), "\(march)")
        let asOf = try ok(["balance", "--accounts", "--as-of", "2026-03-01T00:00:00Z"], db: db)
        #expect((asOf["data"] as? [Any])?.count == 2, "\(asOf)")
    }

    static let reads: [[String]] = [
        ["customers", "list"], ["customers", "show", "cus_1"], ["meters", "list"], ["products", "list"],
        ["prices", "list"], ["prices", "show", "price_1"], ["prices", "quote", "price_1", "--quantity", "1"],
        ["subscriptions", "list"], ["invoices", "list"], ["invoices", "show", "in_1"],
        ["invoices", "preview", "--subscription", "sub_1"], ["invoice-items", "list"], ["grants", "list"],
        ["credit-transactions", "list", "--customer", "cus_1"], ["balance", "--customer", "cus_1"],
        ["balance", "--accounts"], ["reconcile"], ["verify"],
        [
            "events", "summary", "--meter", "mtr_1", "--customer", "cus_1", "--start", "2026-01-01", "--end",
            "2026-01-02",
        ],
    ]

    @Test("a read on a path that does not exist: exit 66 database_missing, no file created", arguments: reads)
    func readOnMissingFile(_ args: [String]) throws {
        let sb = try Sandbox()
        // A file: a PostgreSQL schema is made by any first open, a read's too.
        try rejected(args, db: sb.file, codes: [66], code: "database_missing")
        #expect(!databaseExists(sb.file))
    }

    @Test("--db '' is bad usage (64), and so is LEDGER_DB=''")
    func emptyPath() throws {
        let sb = try Sandbox()
        let flag = LedgerBinary.execute(["--db", "", "customers", "create", "--name", "X"], cwd: sb.dir)
        #expect(flag.status == 64, "\(flag)")
        #expect(flag.stderr.hasPrefix("error: invalid_request: --db"), "\(flag)")
        var env = ProcessInfo.processInfo.environment
        env["LEDGER_DB"] = ""
        env["LEDGER_NOW"] = nil
        let variable = LedgerBinary.execute(["customers", "create", "--name", "X"], environment: env, cwd: sb.dir)
        #expect(variable.status == 64, "\(variable)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sb.dir.path).isEmpty)
    }
}

@Suite("events import: the input")
struct ImportInputTests {
    @Test("a directory is not an input: exit 66 input_missing, nothing written")
    func directory() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "A"], db: sb.db)
        let r = try rejected(["events", "import", sb.dir.path], db: sb.db, codes: [66], code: "input_missing")
        #expect(r.stderr == "error: input_missing: '\(sb.dir.path)' is a directory, not a file\n", "\(r.stderr)")
    }

    @Test("a file that does not exist: exit 66, one line naming it (and the JSON error with --json)")
    func missingFile() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "A"], db: sb.db)
        let path = sb.path("absent.ndjson")
        let r = try rejected(["events", "import", path], db: sb.db, codes: [66], code: "input_missing")
        #expect(r.stderr == "error: input_missing: cannot open '\(path)'\n", "\(r.stderr)")
        try rejected(["events", "import", path], db: sb.db, codes: [66], code: "input_missing", json: true)
        let nested = sb.path("absent/in.csv")
        try rejected(["events", "import", nested], db: sb.db, codes: [66], code: "input_missing")
    }

    #if os(Linux)
        /// `/proc/self/mem` opens as a regular file and every read of it fails (EIO): the import
        /// used to crash (Foundation's `readData` traps on a read error).
        @Test("a file whose read fails: exit 66 input_missing naming the system's reason, nothing written")
        func unreadableFile() throws {
            let sb = try Sandbox()
            try ok(["customers", "create", "--id", "cus_1", "--name", "A"], db: sb.db)
            let r = try rejected(["events", "import", "/proc/self/mem"], db: sb.db, codes: [66], code: "input_missing")
            #expect(r.stderr == "error: input_missing: cannot read '/proc/self/mem': Input/output error\n", "\(r)")
        }
    #endif
}
