import Foundation
import Testing

/// A ledger file built once through the binary and copied into each test's sandbox:
/// customer `cus_1`, product `prod_1`, price `price_unit` (usd, 1 per unit, lookup key `held`),
/// price `price_max` (usd, unit_amount 2^63 − 1).
extension CLIFixture {
    fileprivate static let rejection = CLIFixture(
        "the fixture ledger",
        steps: [
            CatalogStep.people[0],
            CatalogStep.product("prod_1", "Tokens"),
            CatalogStep.price("price_unit", product: "prod_1", ["--unit-amount", "1", "--lookup-key", "held"]),
            CatalogStep.price("price_max", product: "prod_1", ["--unit-amount", "9223372036854775807"]),
        ])
}

/// A request the ledger must refuse, with its exit status and error code.
struct Rejection: Sendable, CustomTestStringConvertible {
    var name: String
    var args: [String]
    var status: Int32 = 65
    var code: String?
    var now: String = defaultNow

    var testDescription: String { name }

    static let price = ["prices", "create", "--product", "prod_1", "--currency", "usd"]
    static let monthly = price + ["--unit-amount", "5", "--interval", "month"]
    static func tiers(_ tiers: String...) -> [String] {
        price + ["--billing-scheme", "tiered", "--tiers-mode", "volume"] + tiers.flatMap { ["--tier", $0] }
    }
    static func metadata(_ items: [String]) -> [String] {
        ["customers", "create", "--name", "Meta"] + items.flatMap { ["--metadata", $0] }
    }

    static let all: [Rejection] = [
        // Currencies and amounts (SPEC §1).
        .init(
            name: "unknown currency",
            args: [
                "prices", "create", "--product", "prod_1", "--currency", "xyz",
                "--unit-amount", "5",
            ], code: "invalid_currency"),
        .init(name: "negative unit_amount", args: price + ["--unit-amount=-5"], code: "invalid_amount"),
        .init(name: "non-numeric unit_amount", args: price + ["--unit-amount", "abc"], code: "invalid_amount"),
        .init(name: "fractional unit_amount", args: price + ["--unit-amount", "1.5"], code: "invalid_amount"),
        .init(
            name: "unit_amount_decimal with two points", args: price + ["--unit-amount-decimal", "1.2.3"],
            code: "invalid_amount"),
        .init(
            name: "unit_amount_decimal with 13 decimals",
            args: price + ["--unit-amount-decimal", "0.0000000000001"], code: "invalid_amount"),
        .init(
            name: "unit_amount over 64 bits", args: price + ["--unit-amount", "9223372036854775808"],
            code: "amount_overflow"),
        .init(
            name: "tier flat_amount over 64 bits",
            args: tiers("up_to=inf,flat_amount=9223372036854775808"), code: "amount_overflow"),
        // Quantities (SPEC §1).
        .init(
            name: "quantity with 13 decimals",
            args: ["prices", "quote", "price_unit", "--quantity", "0.0000000000001"], code: "invalid_quantity"),
        .init(
            name: "quantity with 16 significant digits",
            args: ["prices", "quote", "price_unit", "--quantity", "1234567890123456"], code: "invalid_quantity"),
        .init(
            name: "negative quantity", args: ["prices", "quote", "price_unit", "--quantity=-1"],
            code: "invalid_quantity"),
        .init(
            name: "non-numeric quantity", args: ["prices", "quote", "price_unit", "--quantity", "ten"],
            code: "invalid_quantity"),
        .init(
            name: "quote whose amount overflows 64 bits",
            args: ["prices", "quote", "price_max", "--quantity", "2"], code: "amount_overflow"),
        // Tiers (SPEC §2.3).
        .init(
            name: "tiers out of order",
            args: tiers("up_to=10,unit_amount=1", "up_to=5,unit_amount=1", "up_to=inf,unit_amount=1"),
            code: "invalid_tiers"),
        .init(
            name: "last tier not inf", args: tiers("up_to=5,unit_amount=1", "up_to=10,unit_amount=1"),
            code: "invalid_tiers"),
        .init(
            name: "inf not last", args: tiers("up_to=inf,unit_amount=1", "up_to=10,unit_amount=1"),
            code: "invalid_tiers"),
        .init(name: "tier with neither amount", args: tiers("up_to=inf"), code: "invalid_tiers"),
        .init(
            name: "tier with unit_amount and unit_amount_decimal",
            args: tiers("up_to=inf,unit_amount=1,unit_amount_decimal=1"), code: "invalid_tiers"),
        .init(
            name: "tier up_to zero", args: tiers("up_to=0,unit_amount=1", "up_to=inf,unit_amount=1"),
            code: "invalid_tiers"),
        .init(
            name: "transform_quantity with tiers",
            args: tiers("up_to=inf,unit_amount=1") + ["--divide-by", "100", "--round", "up"],
            code: "invalid_request"),
        // transform_quantity.
        .init(
            name: "divide_by 0", args: price + ["--unit-amount", "4", "--divide-by", "0", "--round", "up"],
            code: "invalid_amount"),
        .init(
            name: "round sideways",
            args: price + ["--unit-amount", "4", "--divide-by", "100", "--round", "sideways"],
            code: "invalid_request"),
        .init(
            name: "divide_by without round", args: price + ["--unit-amount", "4", "--divide-by", "100"],
            code: "invalid_request"),
        // Recurring: at most 3 years (SPEC §2.3).
        .init(name: "37 months", args: monthly + ["--interval-count", "37"], code: "invalid_request"),
        .init(
            name: "157 weeks", args: price + ["--unit-amount", "5", "--interval", "week", "--interval-count", "157"],
            code: "invalid_request"),
        .init(
            name: "4 years", args: price + ["--unit-amount", "5", "--interval", "year", "--interval-count", "4"],
            code: "invalid_request"),
        .init(name: "interval_count 0", args: monthly + ["--interval-count", "0"], code: "invalid_request"),
        .init(
            name: "unknown interval", args: price + ["--unit-amount", "5", "--interval", "fortnight"],
            code: "invalid_request"),
        // References.
        .init(
            name: "unknown product",
            args: ["prices", "create", "--product", "prod_missing", "--currency", "usd", "--unit-amount", "5"],
            code: "resource_missing"),
        .init(
            name: "unknown meter on a metered price",
            args: monthly + ["--usage-type", "metered", "--meter", "mtr_missing"], code: "resource_missing"),
        .init(
            name: "metered price without --meter", args: monthly + ["--usage-type", "metered"],
            code: "invalid_request"),
        .init(
            name: "duplicate lookup_key among active prices",
            args: price + ["--unit-amount", "5", "--lookup-key", "held"],
            code: "lookup_key_taken"),
        .init(
            name: "customers show cus_missing", args: ["customers", "show", "cus_missing"], code: "resource_missing"),
        .init(name: "prices show price_missing", args: ["prices", "show", "price_missing"], code: "resource_missing"),
        .init(
            name: "prices archive price_missing", args: ["prices", "archive", "price_missing"],
            code: "resource_missing"),
        .init(
            name: "prices quote price_missing", args: ["prices", "quote", "price_missing", "--quantity", "1"],
            code: "resource_missing"),
        // Metadata: at most 50 keys, key ≤ 40, value ≤ 500 (SPEC §2).
        .init(name: "51 metadata keys", args: metadata((1...51).map { "k\($0)=v" }), code: "invalid_metadata"),
        .init(
            name: "41-character metadata key", args: metadata([String(repeating: "k", count: 41) + "=v"]),
            code: "invalid_metadata"),
        .init(
            name: "501-character metadata value", args: metadata(["k=" + String(repeating: "v", count: 501)]),
            code: "invalid_metadata"),
        .init(name: "metadata item without =", args: metadata(["novalue"]), code: "invalid_metadata"),
        .init(
            name: "41-character metadata key on a product",
            args: ["products", "create", "--name", "P", "--metadata", String(repeating: "k", count: 41) + "=v"],
            code: "invalid_metadata"),
        .init(
            name: "51 metadata keys on a price",
            args: price + ["--unit-amount", "5"] + (1...51).flatMap { ["--metadata", "k\($0)=v"] },
            code: "invalid_metadata"),
        // Caller IDs (SPEC §2).
        .init(
            name: "duplicate customer --id", args: ["customers", "create", "--id", "cus_1", "--name", "Again"],
            code: "resource_already_exists"),
        .init(
            name: "duplicate product --id", args: ["products", "create", "--id", "prod_1", "--name", "Again"],
            code: "resource_already_exists"),
        .init(
            name: "duplicate price --id", args: price + ["--unit-amount", "5", "--id", "price_unit"],
            code: "resource_already_exists"),
        .init(
            name: "customer --id with a colon", args: ["customers", "create", "--id", "cus:1", "--name", "C"],
            code: "invalid_request"),
        .init(
            name: "customer --id with a space", args: ["customers", "create", "--id", "cus 1", "--name", "C"],
            code: "invalid_request"),
        .init(
            name: "product --id with a colon", args: ["products", "create", "--id", "prod:x", "--name", "P"],
            code: "invalid_request"),
        .init(
            name: "price --id with a space", args: price + ["--unit-amount", "5", "--id", "price x"],
            code: "invalid_request"),
        // Time.
        .init(
            name: "--now garbage", args: ["customers", "create", "--name", "Late"], code: "invalid_time",
            now: "garbage"),
        // Malformed flags refused by argument parsing: bad usage, 64, one line with a code.
        .init(
            name: "--interval-count abc", args: monthly + ["--interval-count", "abc"], status: 64, code: "invalid_usage"
        ),
        .init(name: "unknown flag", args: ["customers", "create", "--frobnicate"], status: 64, code: "invalid_usage"),
        .init(
            name: "missing --currency", args: ["prices", "create", "--product", "prod_1", "--unit-amount", "5"],
            status: 64, code: "invalid_usage"),
        .init(
            name: "quote without --quantity", args: ["prices", "quote", "price_unit"], status: 64, code: "invalid_usage"
        ),
        .init(name: "unknown subcommand", args: ["prices", "explode"], status: 64, code: "invalid_usage"),
    ]

    /// Requests refused on a file that does not exist yet: it must still not exist afterwards.
    static let onMissingFile: [Rejection] = [
        .init(
            name: "customer --id with a colon", args: ["customers", "create", "--id", "cus:1", "--name", "C"],
            code: "invalid_request"),
        .init(
            name: "unknown product",
            args: [
                "prices", "create", "--product", "prod_missing", "--currency", "usd",
                "--unit-amount", "5",
            ], code: "resource_missing"),
        .init(
            name: "unknown currency",
            args: [
                "prices", "create", "--product", "prod_1", "--currency", "xyz",
                "--unit-amount", "5",
            ], code: "invalid_currency"),
        .init(
            name: "customers show cus_missing (no file: nothing to read)", args: ["customers", "show", "cus_missing"],
            status: 66, code: "database_missing"),
        .init(name: "51 metadata keys", args: metadata((1...51).map { "k\($0)=v" }), code: "invalid_metadata"),
        .init(
            name: "--now garbage", args: ["customers", "create", "--name", "Late"], code: "invalid_time",
            now: "garbage"),
        .init(name: "unknown flag", args: ["customers", "create", "--frobnicate"], status: 64, code: "invalid_usage"),
    ]
}

@Suite("bad input is rejected and changes nothing")
struct RejectionTests {
    @Test(arguments: Rejection.all)
    func rejectedOnExistingFile(_ c: Rejection) throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        try rejected(c.args, db: db, codes: [c.status], code: c.code, now: c.now)
    }

    @Test(arguments: Rejection.onMissingFile)
    func rejectedOnMissingFile(_ c: Rejection) throws {
        let sb = try Sandbox()
        // database_missing is about files: a PostgreSQL schema is made by any first open.
        let db = c.status == 66 ? sb.file : sb.db
        #expect(!databaseExists(db))
        try rejected(c.args, db: db, codes: [c.status], code: c.code, now: c.now)
    }

    /// With `--json`, the error is `{"error": {"type", "code", "message", "param"}}` on stderr,
    /// nothing on stdout, and the file unchanged.
    @Test(arguments: [
        Rejection(
            name: "unknown currency",
            args: [
                "prices", "create", "--product", "prod_1", "--currency", "xyz",
                "--unit-amount", "5",
            ], code: "invalid_currency"),
        Rejection(
            name: "customers show cus_missing", args: ["customers", "show", "cus_missing"],
            code: "resource_missing"),
        Rejection(
            name: "quote overflow", args: ["prices", "quote", "price_max", "--quantity", "2"],
            code: "amount_overflow"),
        Rejection(
            name: "duplicate lookup key", args: Rejection.price + ["--unit-amount", "5", "--lookup-key", "held"],
            code: "lookup_key_taken"),
    ])
    func jsonErrors(_ c: Rejection) throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        let r = try rejected(c.args, db: db, codes: [65], code: c.code, json: true)
        #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
    }

    @Test("--json error of an unknown currency names the parameter, Stripe's error type")
    func jsonErrorFields() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        let r = run(
            ["prices", "create", "--product", "prod_1", "--currency", "xyz", "--unit-amount", "5"], db: db, json: true)
        #expect(r.status == 65)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stderr.utf8)) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["type"] as? String == "invalid_request_error")
        #expect(error["code"] as? String == "invalid_currency")
        #expect(error["param"] as? String == "currency")
        #expect((error["message"] as? String)?.contains("xyz") == true, "\(error)")
    }

    @Test("amount_overflow is named in stderr")
    func amountOverflowMessage() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        let r = try rejected(
            Rejection.price + ["--unit-amount", "9223372036854775808"], db: db, codes: [65], code: "amount_overflow")
        #expect(r.stderr.hasPrefix("error: amount_overflow: "), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// A lookup key is unique among active prices: refused while its holder is active, free
    /// again once the holder is archived, then held by the new price.
    @Test func lookupKeyFreedByArchive() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        let dup = Rejection.price + ["--unit-amount", "5", "--lookup-key", "held"]
        let r = try rejected(dup, db: db, codes: [65], code: "lookup_key_taken")
        #expect(r.stderr.contains("price_unit"), "\(r.stderr)")
        let archived = try ok(["prices", "archive", "price_unit"], db: db)
        #expect(archived["active"] as? Bool == false)
        #expect(archived["lookup_key"] as? String == "held")
        let fresh = try ok(dup + ["--id", "price_new"], db: db)
        #expect(fresh["id"] as? String == "price_new")
        #expect(fresh["lookup_key"] as? String == "held")
        #expect(fresh["active"] as? Bool == true)
        let again = try rejected(dup, db: db, codes: [65], code: "lookup_key_taken")
        #expect(again.stderr.contains("price_new"), "\(again.stderr)")
    }

    /// The bounds themselves are accepted: 36 months, 156 weeks, 3 years.
    @Test(arguments: [("month", 36), ("week", 156), ("year", 3)])
    func intervalAtThreeYears(interval: String, count: Int) throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        let price = try ok(
            Rejection.price + ["--unit-amount", "5", "--interval", interval, "--interval-count", String(count)], db: db)
        let recurring = try #require(price["recurring"] as? [String: Any])
        #expect(recurring["interval"] as? String == interval)
        #expect(int64(recurring["interval_count"]) == Int64(count))
        #expect(price["type"] as? String == "recurring")
    }

    /// Metadata at its limits is accepted and stored whole: 50 keys, a 40-character key, a
    /// 500-character value.
    @Test func metadataAtLimits() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        let longKey = String(repeating: "k", count: 40)
        let longValue = String(repeating: "v", count: 500)
        let items = (1...48).map { "k\($0)=v\($0)" } + ["\(longKey)=x", "long=\(longValue)"]
        let customer = try ok(
            ["customers", "create", "--id", "cus_meta", "--name", "Meta"] + items.flatMap { ["--metadata", $0] }, db: db
        )
        let metadata = try #require(customer["metadata"] as? [String: Any])
        #expect(metadata.count == 50)
        #expect(metadata[longKey] as? String == "x")
        #expect(metadata["long"] as? String == longValue)
        #expect(metadata["k17"] as? String == "v17")
        let shown = try ok(["customers", "show", "cus_meta"], db: db)
        #expect(canonical(shown) == canonical(customer))
    }

    /// After a rejected write, the next valid write on the same file works (nothing was left
    /// half-done, e.g. a lock or a partial row).
    @Test func fileUsableAfterRejection() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.rejection.copy(into: sb)
        try rejected(
            ["customers", "create", "--id", "cus_1", "--name", "Again"], db: db, codes: [65],
            code: "resource_already_exists")
        try ok(["customers", "create", "--id", "cus_2", "--name", "Next"], db: db)
        let list = try ok(["customers", "list"], db: db)
        let data = try #require(list["data"] as? [[String: Any]])
        #expect(data.compactMap { $0["id"] as? String } == ["cus_1", "cus_2"])
        #expect(data.first?["name"] as? String == "John Doe")
    }
}
