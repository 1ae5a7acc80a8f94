import Foundation
import Testing

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
}
