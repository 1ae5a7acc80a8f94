import Foundation
import Testing

/// The public acceptance scenarios P1–P6 through the binary, with `--now` and `--json`
/// as a user would drive it, asserting the scenarios' figures exactly. Each test builds its own
/// catalog in a new database of `CLIBackend`, and reads only what the ledger prints.

// MARK: Steps and readings

/// One test's ledger: its database and the `create` steps of the scenarios' catalogs.
struct AcceptanceLedger {
    let sandbox: Sandbox
    let db: String

    init() throws {
        sandbox = try Sandbox()
        db = CLIBackend.database(in: sandbox)
    }

    /// `ledger --db DB --now NOW --json args…` (requires exit 0 and a JSON object).
    @discardableResult
    func json(
        _ args: [String], now: String = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [String: Any] {
        try ok(args, db: db, now: now, sourceLocation: sourceLocation)
    }

    /// The `id` of what a `create` step printed.
    func id(
        _ args: [String], now: String = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        let object = try json(args, now: now, sourceLocation: sourceLocation)
        return try #require(object["id"] as? String, "no id: \(object)", sourceLocation: sourceLocation)
    }

    func customer(_ name: String = "John Doe") throws -> String {
        try id(["customers", "create", "--name", name])
    }

    func product(_ name: String = "Product") throws -> String {
        try id(["products", "create", "--name", name])
    }

    func meter(_ event: String) throws -> String {
        try id(["meters", "create", "--display-name", event, "--event-name", event, "--aggregation", "sum"])
    }

    /// `prices quote PRICE --quantity Q` → the amount in cents.
    func quote(
        _ price: String, _ quantity: some CustomStringConvertible, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Int64? {
        int64(
            try json(["prices", "quote", price, "--quantity", "\(quantity)"], sourceLocation: sourceLocation)["amount"])
    }

    /// `events record` of `value` at `timestamp`, recorded at that instant.
    func record(
        _ event: String, _ customer: String, _ value: Int64, at timestamp: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try json(
            recordArgs(event, customer: customer, value: "\(value)", at: timestamp), now: timestamp,
            sourceLocation: sourceLocation)
    }

    /// `invoices list --customer C`, by period end, then creation, then number.
    func invoices(
        _ customer: String, now: String = defaultNow, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> [[String: Any]] {
        try invoiceList(db, ["--customer", customer], now: now, sourceLocation: sourceLocation).sorted {
            let a = (int64($0["period_end"]) ?? 0, int64($0["created"]) ?? 0, $0["number"] as? String ?? "")
            let b = (int64($1["period_end"]) ?? 0, int64($1["created"]) ?? 0, $1["number"] as? String ?? "")
            return a < b
        }
    }

    /// P1's catalog and subscription: meter `alpaca_ai_tokens`, 4 per 100 tokens rounded up,
    /// metered monthly in `currency`; customer "John Doe" subscribed at 2026-01-01 in `mode`.
    func payAsYouGo(
        currency: String = "usd", mode: String = "flexible"
    ) throws -> (customer: String, meter: String) {
        let customer = try customer()
        let meter = try meter("alpaca_ai_tokens")
        let product = try product("Alpaca AI tokens")
        let price = try id(
            [
                "prices", "create", "--product", product, "--currency", currency, "--unit-amount", "4", "--divide-by",
                "100", "--round", "up", "--usage-type", "metered", "--interval", "month", "--meter", meter,
            ])
        try json(["subscriptions", "create", "--customer", customer, "--item", price, "--billing-mode", mode])
        return (customer, meter)
    }

    /// The licence (usd `licence` a month) and graduated metered prices of P2 (`included` tokens at
    /// 0, then `overage` a token) or P3 (100,000 at 0, then 0.1) on meter `event`.
    func licenceAndUsage(
        event: String, licence: Int64, included: Int64, overage: String
    ) throws -> (licence: String, usage: String) {
        let meter = try meter(event)
        let product = try product("Hypernian")
        let licensed = try id(
            [
                "prices", "create", "--product", product, "--currency", "usd", "--unit-amount", "\(licence)",
                "--interval", "month", "--usage-type", "licensed",
            ])
        let usage = try id(
            [
                "prices", "create", "--product", product, "--currency", "usd", "--billing-scheme", "tiered",
                "--tiers-mode", "graduated", "--tier", "up_to=\(included),unit_amount_decimal=0", "--tier",
                "up_to=inf,unit_amount_decimal=\(overage)", "--usage-type", "metered", "--interval", "month",
                "--meter", meter,
            ])
        return (licensed, usage)
    }
}

/// An invoice's line amounts, smallest first.
func lineAmounts(_ invoice: [String: Any]) -> [Int64] {
    lines(invoice).map { int64($0["amount"]) ?? -1 }.sorted()
}

/// status, subtotal, total and amount due of an invoice.
func invoiceFigures(_ invoice: [String: Any]) -> [String] {
    [invoice["status"] as? String ?? "?"]
        + ["subtotal", "total", "amount_due"].map { int64(invoice[$0]).map(String.init) ?? "?" }
}

/// The invoice's subscription (`parent.subscription_details.subscription`, or `subscription`).
func subscriptionOf(_ invoice: [String: Any]) -> String? {
    invoice["subscription"] as? String ?? path(invoice, "parent.subscription_details.subscription") as? String
}

/// One hour after the February boundary: January's invoices are made and finalized by then.
let acceptanceFebBill = "2026-02-01T01:00:00Z"

// MARK: P1, P2, P6

@Suite("Acceptance scenarios P1–P6 through the binary")
struct AcceptanceScenarioTests {
    @Test("P1: 3,000 tokens at 4 per 100 → one open invoice of 120 for January; billing again adds none")
    func payAsYouGo() throws {
        let l = try AcceptanceLedger()
        let (customer, _) = try l.payAsYouGo()
        #expect(try l.invoices(customer).isEmpty, "a flexible metered-only subscription makes no first invoice")
        try l.record("alpaca_ai_tokens", customer, 3000, at: "2026-01-05T12:00:00Z")
        try l.json(["bill"], now: acceptanceFebBill)
        let invoices = try l.invoices(customer, now: acceptanceFebBill)
        try #require(invoices.count == 1, "one invoice after January: \(invoices)")
        let january = invoices[0]
        #expect(invoiceFigures(january) == ["open", "120", "120", "120"], "\(january)")
        #expect(int64(january["period_start"]) == at("2026-01-01T00:00:00Z"), "\(january)")
        #expect(int64(january["period_end"]) == at("2026-02-01T00:00:00Z"), "\(january)")
        #expect(lineAmounts(january) == [120], "one metered line of 120: \(january)")
        #expect(lines(january).first?["quantity_decimal"] as? String == "3000", "\(january)")

        try l.json(["bill"], now: acceptanceFebBill)
        #expect(try l.invoices(customer, now: acceptanceFebBill).count == 1, "bill is idempotent")
    }

    @Test(
        "P1: 25 tokens → 4 (one package); 0 tokens → 0, paid at finalization; in cad, the same figures in cad",
        arguments: [
            ("usd", 25, ["open", "4", "4", "4"]), ("usd", 0, ["paid", "0", "0", "0"]),
            ("cad", 3000, ["open", "120", "120", "120"]),
        ] as [(String, Int64, [String])])
    func payAsYouGoVariants(currency: String, tokens: Int64, expected: [String]) throws {
        let l = try AcceptanceLedger()
        let (customer, _) = try l.payAsYouGo(currency: currency)
        if tokens > 0 { try l.record("alpaca_ai_tokens", customer, tokens, at: "2026-01-05T12:00:00Z") }
        try l.json(["bill"], now: acceptanceFebBill)
        let invoices = try l.invoices(customer, now: acceptanceFebBill)
        try #require(invoices.count == 1, "\(invoices)")
        #expect(invoiceFigures(invoices[0]) == expected, "\(invoices[0])")
        #expect(invoices[0]["currency"] as? String == currency, "\(invoices[0])")
        #expect(lineAmounts(invoices[0]) == [Int64(expected[1])], "\(invoices[0])")
    }

    @Test("P2: licence 10000 at creation; 3,000 tokens → overage 8000 with February's licence 10000, subtotal 18000")
    func flatFeeAndOverages() throws {
        let l = try AcceptanceLedger()
        let customer = try l.customer()
        let (licence, usage) = try l.licenceAndUsage(
            event: "hypernian_tokens", licence: 10000, included: 1000, overage: "4")
        try l.json(["subscriptions", "create", "--customer", customer, "--item", "\(licence):1", "--item", usage])
        try l.json(["bill"], now: "2026-01-01T01:00:00Z")
        let first = try l.invoices(customer, now: "2026-01-01T01:00:00Z")
        try #require(first.count == 1, "first invoice at creation: \(first)")
        #expect(lineAmounts(first[0]) == [10000], "first invoice: licence only (flexible): \(first[0])")
        let line = lines(first[0]).first
        #expect(int64(path(line, "period.start")) == at("2026-01-01T00:00:00Z"), "\(first[0])")
        #expect(int64(path(line, "period.end")) == at("2026-02-01T00:00:00Z"), "\(first[0])")

        try l.record("hypernian_tokens", customer, 3000, at: "2026-01-10T00:00:00Z")
        try l.json(["bill"], now: acceptanceFebBill)
        let invoices = try l.invoices(customer, now: acceptanceFebBill)
        try #require(invoices.count == 2, "second invoice at the period boundary: \(invoices)")
        #expect(lineAmounts(invoices[1]) == [8000, 10000], "overage 8000 + next licence 10000: \(invoices[1])")
        #expect(int64(invoices[1]["subtotal"]) == 18000, "\(invoices[1])")
    }

    @Test(
        "P2: 800 tokens → metered 0, subtotal 10000; licence quantity 3 → 30000; classic → a zero metered line at creation",
        arguments: [
            ("flexible", 1, 800, [10000], [0, 10000], 10000), ("flexible", 3, 3000, [30000], [8000, 30000], 38000),
            ("classic", 1, 3000, [0, 10000], [8000, 10000], 18000),
        ] as [(String, Int64, Int64, [Int64], [Int64], Int64)])
    func flatFeeVariants(
        mode: String, seats: Int64, tokens: Int64, first: [Int64], second: [Int64], subtotal: Int64
    ) throws {
        let l = try AcceptanceLedger()
        let customer = try l.customer()
        let (licence, usage) = try l.licenceAndUsage(
            event: "hypernian_tokens", licence: 10000, included: 1000, overage: "4")
        try l.json([
            "subscriptions", "create", "--customer", customer, "--item", "\(licence):\(seats)", "--item", usage,
            "--billing-mode", mode,
        ])
        let created = try l.invoices(customer)
        try #require(created.count == 1, "\(created)")
        #expect(lineAmounts(created[0]) == first, "\(created[0])")
        try l.record("hypernian_tokens", customer, tokens, at: "2026-01-10T00:00:00Z")
        try l.json(["bill"], now: acceptanceFebBill)
        let invoices = try l.invoices(customer, now: acceptanceFebBill)
        try #require(invoices.count == 2, "\(invoices)")
        #expect(lineAmounts(invoices[1]) == second, "\(invoices[1])")
        #expect(int64(invoices[1]["subtotal"]) == subtotal, "\(invoices[1])")
    }

    @Test("P6: 3000 + 500 + 200 tokens → 3700 over two days; by day 3500 then 200; by hour 3500 then nothing")
    func usageSummaries() throws {
        let l = try AcceptanceLedger()
        let (customer, meter) = try l.payAsYouGo()
        let now = "2026-01-07T00:00:00Z"
        for (timestamp, value) in [
            ("2026-01-05T12:00:00Z", 3000), ("2026-01-05T12:30:00Z", 500), ("2026-01-06T09:00:00Z", 200),
        ] as [(String, Int64)] {
            try l.json(recordArgs("alpaca_ai_tokens", customer: customer, value: "\(value)", at: timestamp), now: now)
        }
        func summaries(_ start: String, _ end: String, _ group: [String] = []) throws -> [(Int64, Double)] {
            let args = ["events", "summary", "--meter", meter, "--customer", customer, "--start", start, "--end", end]
            return try listData(args + group, l.db, now: now).map {
                (int64($0["start_time"]) ?? -1, Double(numberText($0["aggregated_value"]) ?? "") ?? -1)
            }.sorted { $0.0 < $1.0 }
        }
        let whole = try summaries("2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z")
        #expect(whole.map(\.1) == [3700], "summary over two days: \(whole)")
        let daily = try summaries("2026-01-05T00:00:00Z", "2026-01-07T00:00:00Z", ["--group", "day"])
        #expect(daily.map(\.1).filter { $0 != 0 } == [3500, 200], "daily summaries: \(daily)")
        #expect(daily.filter { $0.1 != 0 }.map(\.0) == [at("2026-01-05T00:00:00Z"), at("2026-01-06T00:00:00Z")])
        let hourly = try summaries("2026-01-05T12:00:00Z", "2026-01-05T14:00:00Z", ["--group", "hour"])
        #expect(hourly.filter { $0.1 != 0 }.map(\.1) == [3500], "hourly summaries: \(hourly)")
        #expect(hourly.filter { $0.1 != 0 }.map(\.0) == [at("2026-01-05T12:00:00Z")], "\(hourly)")
    }
}
