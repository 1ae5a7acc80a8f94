import Foundation
import Testing

#if canImport(GRDB)
    import GRDB
#endif

/// The command-line contract of SPEC §3 and its appendix: where the file is, object shapes,
/// caller IDs, lists, archive, demo, verify, and the storage errors.
@Suite("command-line contract")
struct CLIContractTests {
    /// The environment without any LEDGER_* variable, plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("LEDGER_") { env[key] = nil }
        return env.merging(extra) { _, new in new }
    }

    // MARK: --db, $LEDGER_DB, ./ledger.sqlite, $LEDGER_NOW

    @Test("--db defaults to $LEDGER_DB")
    func dbFromEnvironment() throws {
        let sb = try Sandbox()
        let envDB = sb.path("from-env.sqlite")
        let r = LedgerBinary.execute(
            ["--now", defaultNow, "--json", "customers", "create", "--id", "cus_env", "--name", "Env"],
            environment: Self.environment(["LEDGER_DB": envDB]), cwd: sb.dir)
        #expect(r.status == 0, "\(r)")
        #expect(FileManager.default.fileExists(atPath: envDB))
        #expect(!FileManager.default.fileExists(atPath: sb.path("ledger.sqlite")))
        let shown = try ok(["customers", "show", "cus_env"], db: envDB)
        #expect(shown["name"] as? String == "Env")
    }

    @Test("--db wins over $LEDGER_DB")
    func dbFlagOverridesEnvironment() throws {
        let sb = try Sandbox()
        let envDB = sb.path("from-env.sqlite")
        let flagDB = sb.path("from-flag.sqlite")
        let r = LedgerBinary.execute(
            ["--db", flagDB, "--now", defaultNow, "--json", "customers", "create", "--id", "cus_flag"],
            environment: Self.environment(["LEDGER_DB": envDB]), cwd: sb.dir)
        #expect(r.status == 0, "\(r)")
        #expect(FileManager.default.fileExists(atPath: flagDB))
        #expect(!FileManager.default.fileExists(atPath: envDB))
        #expect(try ok(["customers", "show", "cus_flag"], db: flagDB)["id"] as? String == "cus_flag")
    }

    @Test("without --db or $LEDGER_DB the file is ./ledger.sqlite")
    func dbDefaultsToWorkingDirectory() throws {
        let sb = try Sandbox()
        let r = LedgerBinary.execute(
            ["--now", defaultNow, "--json", "customers", "create", "--id", "cus_cwd", "--name", "Here"],
            environment: Self.environment(), cwd: sb.dir)
        #expect(r.status == 0, "\(r)")
        let file = sb.path("ledger.sqlite")
        #expect(FileManager.default.fileExists(atPath: file))
        let shown = try ok(["customers", "show", "cus_cwd"], db: file)
        #expect(shown["name"] as? String == "Here")
    }

    @Test("--now defaults to $LEDGER_NOW; --now wins over it")
    func nowFromEnvironment() throws {
        let sb = try Sandbox()
        let env = Self.environment(["LEDGER_NOW": "2026-01-31T00:00:00Z", "LEDGER_DB": sb.db])
        let a = LedgerBinary.execute(["--json", "customers", "create", "--id", "cus_a"], environment: env, cwd: sb.dir)
        #expect(a.status == 0, "\(a)")
        let b = LedgerBinary.execute(
            ["--json", "--now", "1767225600", "customers", "create", "--id", "cus_b"], environment: env, cwd: sb.dir)
        #expect(b.status == 0, "\(b)")
        #expect(int64(try ok(["customers", "show", "cus_a"], db: sb.db)["created"]) == 1_769_817_600)
        #expect(int64(try ok(["customers", "show", "cus_b"], db: sb.db)["created"]) == 1_767_225_600)
    }

    // MARK: Customers and products round-trip

    @Test func customerRoundTrip() throws {
        let sb = try Sandbox()
        let created = try ok(
            [
                "customers", "create", "--id", "cus_john", "--name", "John Doe", "--email", "john@example.com",
                "--metadata", "plan=pro", "--metadata", "region=eu",
            ],
            db: sb.db)
        #expect(created["id"] as? String == "cus_john")
        #expect(created["object"] as? String == "customer")
        #expect(created["name"] as? String == "John Doe")
        #expect(created["email"] as? String == "john@example.com")
        #expect(int64(created["created"]) == defaultNowSeconds)
        #expect(canonical(created["metadata"] ?? NSNull()) == #"{"plan":"pro","region":"eu"}"#)

        let generated = try ok(["customers", "create", "--name", "Anon"], db: sb.db, now: "2026-01-02")
        let id = try #require(generated["id"] as? String)
        #expect(id.hasPrefix("cus_") && id.count > 4, "\(id)")
        #expect(id.dropFirst(4).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(id)")
        #expect(isNull(generated["email"]))
        #expect(int64(generated["created"]) == defaultNowSeconds + 86_400)

        let shown = try ok(["customers", "show", "cus_john"], db: sb.db)
        #expect(canonical(shown) == canonical(created))
        let list = try ok(["customers", "list"], db: sb.db)
        #expect(list["object"] as? String == "list")
        #expect(list["has_more"] as? Bool == false)
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.count == 2)
        #expect(data.map(canonical) == [canonical(created), canonical(generated)])
    }

    @Test("human output shows times in ISO 8601, JSON in Unix seconds")
    func humanTimes() throws {
        let sb = try Sandbox()
        let created = try ok(
            ["customers", "create", "--id", "cus_t", "--name", "Time"], db: sb.db, now: "2026-01-31T12:30:00Z")
        #expect(int64(created["created"]) == 1_769_862_600)
        let human = run(["customers", "show", "cus_t"], db: sb.db, json: false)
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("2026-01-31T12:30:00Z"), "\(human.stdout)")
        #expect(!human.stdout.contains("1769862600"), "\(human.stdout)")
    }

    @Test func productRoundTrip() throws {
        let sb = try Sandbox()
        let created = try ok(
            [
                "products", "create", "--id", "prod_tokens", "--name", "Alpaca AI tokens", "--description",
                "LLM tokens",
                "--metadata", "tier=gold",
            ],
            db: sb.db)
        #expect(created["id"] as? String == "prod_tokens")
        #expect(created["object"] as? String == "product")
        #expect(created["name"] as? String == "Alpaca AI tokens")
        #expect(created["description"] as? String == "LLM tokens")
        #expect(created["active"] as? Bool == true)
        #expect(int64(created["created"]) == defaultNowSeconds)
        #expect((created["metadata"] as? [String: Any])?["tier"] as? String == "gold")
        let generated = try ok(["products", "create", "--name", "Other"], db: sb.db)
        #expect((generated["id"] as? String)?.hasPrefix("prod_") == true)
        let list = try ok(["products", "list"], db: sb.db)
        #expect(list["object"] as? String == "list")
        #expect(list["has_more"] as? Bool == false)
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.map(canonical) == [canonical(created), canonical(generated)])
    }

    // MARK: Prices: Stripe field names

    @Test("a package price: per_unit, transform_quantity, recurring, lookup_key, currency lowercase")
    func packagePriceShape() throws {
        let sb = try Sandbox()
        try ok(["products", "create", "--id", "prod_1", "--name", "Tokens"], db: sb.db)
        let price = try ok(
            [
                "prices", "create", "--product", "prod_1", "--currency", "USD", "--id", "price_paygo",
                "--unit-amount", "4", "--divide-by", "100", "--round", "up", "--interval", "month",
                "--lookup-key", "paygo", "--nickname", "Pay as you go", "--metadata", "k=v",
            ],
            db: sb.db)
        #expect(price["id"] as? String == "price_paygo")
        #expect(price["object"] as? String == "price")
        #expect(price["product"] as? String == "prod_1")
        #expect(price["currency"] as? String == "usd")
        #expect(price["active"] as? Bool == true)
        #expect(price["billing_scheme"] as? String == "per_unit")
        #expect(price["type"] as? String == "recurring")
        #expect(int64(price["unit_amount"]) == 4)
        #expect(price["unit_amount_decimal"] as? String == "4")
        #expect(price["lookup_key"] as? String == "paygo")
        #expect(price["nickname"] as? String == "Pay as you go")
        #expect(int64(price["created"]) == defaultNowSeconds)
        #expect((price["metadata"] as? [String: Any])?["k"] as? String == "v")
        #expect(isNull(price["tiers"]) || price["tiers"] == nil)
        #expect(isNull(price["tiers_mode"]) || price["tiers_mode"] == nil)
        let transform = try #require(price["transform_quantity"] as? [String: Any])
        #expect(int64(transform["divide_by"]) == 100)
        #expect(transform["round"] as? String == "up")
        let recurring = try #require(price["recurring"] as? [String: Any])
        #expect(recurring["interval"] as? String == "month")
        #expect(int64(recurring["interval_count"]) == 1)
        #expect(recurring["usage_type"] as? String == "licensed")
        #expect(isNull(recurring["meter"]))

        #expect(canonical(try ok(["prices", "show", "price_paygo"], db: sb.db)) == canonical(price))
    }

    @Test("a tiered price: tiers_mode, tiers[].up_to null for inf, unit_amount null when not whole")
    func tieredPriceShape() throws {
        let sb = try Sandbox()
        try ok(["products", "create", "--id", "prod_1", "--name", "Tokens"], db: sb.db)
        let price = try ok(
            [
                "prices", "create", "--product", "prod_1", "--currency", "usd", "--id", "price_pro",
                "--billing-scheme", "tiered", "--tiers-mode", "graduated",
                "--tier", "up_to=100000,unit_amount_decimal=0,flat_amount=500",
                "--tier", "up_to=inf,unit_amount_decimal=0.1,flat_amount_decimal=0.25",
            ],
            db: sb.db)
        #expect(price["billing_scheme"] as? String == "tiered")
        #expect(price["tiers_mode"] as? String == "graduated")
        #expect(price["type"] as? String == "one_time")
        #expect(isNull(price["recurring"]))
        #expect(isNull(price["transform_quantity"]))
        #expect(isNull(price["unit_amount"]))
        let tiers = try #require(price["tiers"] as? [[String: Any]])
        try #require(tiers.count == 2)
        #expect(int64(tiers[0]["up_to"]) == 100_000)
        #expect(int64(tiers[0]["unit_amount"]) == 0)
        #expect(tiers[0]["unit_amount_decimal"] as? String == "0")
        #expect(int64(tiers[0]["flat_amount"]) == 500)
        #expect(tiers[0]["flat_amount_decimal"] as? String == "500")
        #expect(isNull(tiers[1]["up_to"]), "\(canonical(tiers[1]))")
        #expect(isNull(tiers[1]["unit_amount"]), "\(canonical(tiers[1]))")
        #expect(tiers[1]["unit_amount_decimal"] as? String == "0.1")
        #expect(isNull(tiers[1]["flat_amount"]))
        #expect(tiers[1]["flat_amount_decimal"] as? String == "0.25")

        let decimal = try ok(
            [
                "prices", "create", "--product", "prod_1", "--currency", "usd", "--id", "price_dec",
                "--unit-amount-decimal", "0.05",
            ],
            db: sb.db)
        #expect(isNull(decimal["unit_amount"]))
        #expect(decimal["unit_amount_decimal"] as? String == "0.05")

        let list = try ok(["prices", "list"], db: sb.db)
        #expect(list["object"] as? String == "list")
        #expect(list["has_more"] as? Bool == false)
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.map(canonical) == [canonical(price), canonical(decimal)])
    }

    @Test("prices archive sets active false, and the price stays listed")
    func archive() throws {
        let sb = try Sandbox()
        try ok(["products", "create", "--id", "prod_1", "--name", "Tokens"], db: sb.db)
        let price = try ok(
            [
                "prices", "create", "--product", "prod_1", "--currency", "eur", "--id", "price_eur", "--unit-amount",
                "250",
            ],
            db: sb.db)
        #expect(price["active"] as? Bool == true)
        let archived = try ok(["prices", "archive", "price_eur"], db: sb.db)
        #expect(archived["active"] as? Bool == false)
        #expect(int64(archived["unit_amount"]) == 250)
        #expect(archived["currency"] as? String == "eur")
        let shown = try ok(["prices", "show", "price_eur"], db: sb.db)
        #expect(shown["active"] as? Bool == false)
        let list = try ok(["prices", "list"], db: sb.db)
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.compactMap { $0["id"] as? String } == ["price_eur"])
        #expect(data.first?["active"] as? Bool == false)
        // An archived price still quotes: its terms never change.
        #expect(int64(try ok(["prices", "quote", "price_eur", "--quantity", "2"], db: sb.db)["amount"]) == 500)
    }

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

    // MARK: --version, --help

    @Test("--version prints the version on stdout and exits 0, from the root or any command, creating no file")
    func version() throws {
        let sb = try Sandbox()
        let root = LedgerBinary.execute(["--db", sb.db, "--version"], environment: Self.environment(), cwd: sb.dir)
        #expect(root.status == 0, "\(root)")
        #expect(root.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "not a version: \(root)")
        #expect(root.stderr.isEmpty, "\(root)")
        let command = LedgerBinary.execute(
            ["--db", sb.db, "customers", "create", "--name", "A", "--version"], environment: Self.environment(),
            cwd: sb.dir)
        #expect(command.status == 0, "\(command)")
        #expect(command.stdout == root.stdout)
        #expect(!databaseExists(sb.db))
        #expect(!FileManager.default.fileExists(atPath: sb.path("ledger.sqlite")))
    }

    /// Each closed set's values, as `--help` of its command lists them (wrapping aside).
    static let listedValues: [(command: [String], values: String)] = [
        (["prices", "create"], "--type <type> One-time or recurring"),
        (["prices", "create"], "(values: one_time, recurring)"),
        (["prices", "create"], "(values: day, week, month, year)"),
        (["prices", "create"], "(values: licensed, metered)"),
        (["prices", "create"], "(values: per_unit, tiered)"),
        (["prices", "create"], "(values: up, down)"),
        (["prices", "create"], "(values: graduated, volume)"),
        (["meters", "create"], "(values: sum, count, last, max; default: sum)"),
        (["events", "import"], "(values: ndjson, csv)"),
        (["events", "summary"], "(values: hour, day)"),
        (["subscriptions", "create"], "(values: classic, flexible; default: flexible)"),
        (["invoices", "create"], "(values: include, exclude; default: exclude)"),
        (["invoices", "list"], "(values: draft, open, paid, void, uncollectible)"),
        (["grants", "create"], "(values: paid, promotional; default: paid)"),
        (["grants", "create"], "--scope <scope> The scope's price type: every metered price. (values: metered)"),
        (["reconcile"], "(values: table, csv; default: table)"),
        (["customers", "create"], "--id <id> Your own ID for the customer (default: cus_ and random characters)."),
        (["invoice-items", "create"], "--metadata <metadata> A key=value pair to store on the item (repeatable)."),
    ]

    @Test("--help lists the values of each closed set", arguments: listedValues.indices)
    func helpListsValues(_ index: Int) throws {
        let (command, values) = Self.listedValues[index]
        let r = LedgerBinary.execute(command + ["--help"], environment: Self.environment())
        #expect(r.status == 0, "\(r)")
        let help = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains(values), "\(command.joined(separator: " ")) --help: \(r.stdout)")
    }

    @Test("a shape fault is a refused request (65), after bad usage (64) and --help, and before anything is written")
    func shapeFaultAfterUsage() throws {
        let sb = try Sandbox()
        let half = [
            "prices", "create", "--product", "prod_1", "--currency", "usd", "--unit-amount", "4", "--round", "up",
        ]
        try rejected(half, db: sb.db, codes: [65], code: "invalid_request")
        let json = try rejected(half, db: sb.db, codes: [65], code: "invalid_request", json: true)
        #expect(json.stderr.contains("\"param\":\"transform_quantity\""), "\(json.stderr)")
        try rejected(half + ["--frobnicate"], db: sb.db, codes: [64])
        let help = run(half + ["--help"], db: sb.db, json: false)
        #expect(help.status == 0, "\(help)")
        #expect(help.stdout.contains("USAGE: ledger prices create"), "\(help)")
        #expect(!databaseExists(sb.db))
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
