import Foundation
import Testing

/// Signed numbers given after an option, through the binary. SPEC §1 allows negative meter values
/// (corrections), so `events record --value -8` must reach the ledger although `-8` looks like a
/// flag; every other option that takes a number or a Unix time does the same, and the command, not
/// the argument parser, refuses a negative it does not allow, with its own error code (exit 65).

/// A ledger built once (at `now`) and copied into each test's sandbox: customer `cus_1`, meter
/// `mtr_t` (event `tokens`, sum), product `prod_t`; prices `price_pkg` (usd, metered monthly on
/// `mtr_t`, 4 per 100 rounded up) and `price_tenth` (usd one-time, unit_amount_decimal 0.1).
private enum SignedFixture {
    static let now = "2026-01-10T00:00:00Z"
    static let ledger = CLIFixture(
        "the signed options fixture", now: now, steps: [CatalogStep.customer("cus_1", "Signed")] + CatalogStep.tokens)
}

@Suite struct SignedOptionTests {
    @Test("events record --value -8 (a correction) is accepted, and the summary shows the corrected total")
    func negativeMeterValue() throws {
        let sb = try Sandbox()
        let db = try SignedFixture.ledger.copy(into: sb)
        let record = ["events", "record", "--event-name", "tokens", "--customer", "cus_1"]
        try ok(record + ["--value", "10", "--timestamp", "2026-01-05T00:00:00Z"], db: db, now: SignedFixture.now)
        let correction = try ok(
            record + ["--value", "-8", "--timestamp", "2026-01-05T01:00:00Z"], db: db, now: SignedFixture.now)
        #expect(correction["value"] as? String == "-8", "\(canonical(correction))")
        let summary = ["events", "summary", "--meter", "mtr_t", "--customer", "cus_1"]
        let range = ["--start", "2026-01-01T00:00:00Z", "--end", "2026-01-10T00:00:00Z"]
        let json = try ok(summary + range, db: db, now: SignedFixture.now)
        #expect(numberText((json["data"] as? [[String: Any]])?.first?["aggregated_value"]) == "2", "\(canonical(json))")
        let text = run(summary + range, db: db, now: SignedFixture.now, json: false)
        #expect(text.status == 0, "\(text.stderr)")
        let rows = humanRows(text.stdout)
        #expect(rows.last == ["2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z", "2"], "\(rows)")
    }

    @Test(
        "a negative number after an option reaches the command, which refuses it with its own code",
        arguments: [
            (["prices", "quote", "price_tenth", "--quantity", "-1"], "invalid_quantity"),
            (
                ["invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "-5"],
                "invalid_amount"
            ),
            (
                [
                    "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--unit-amount-decimal", "1",
                    "--quantity", "-2",
                ], "invalid_quantity"
            ),
            (
                [
                    "grants", "create", "--customer", "cus_1", "--amount", "-5", "--currency", "usd", "--scope",
                    "metered",
                ],
                "invalid_amount"
            ),
            (
                [
                    "grants", "create", "--customer", "cus_1", "--amount", "5", "--currency", "usd", "--scope",
                    "metered",
                    "--priority", "-1",
                ], "invalid_request"
            ),
            (
                [
                    "grants", "create", "--customer", "cus_1", "--amount", "5", "--currency", "usd", "--scope",
                    "metered",
                    "--cost-basis", "-1",
                ], "invalid_amount"
            ),
            (
                ["prices", "create", "--product", "prod_t", "--currency", "usd", "--unit-amount", "-5"],
                "invalid_amount"
            ),
            (
                ["prices", "create", "--product", "prod_t", "--currency", "usd", "--unit-amount-decimal", "-0.5"],
                "invalid_amount"
            ),
            (
                [
                    "prices", "create", "--product", "prod_t", "--currency", "usd", "--unit-amount", "4", "--divide-by",
                    "-100", "--round", "up",
                ], "invalid_amount"
            ),
            (
                [
                    "prices", "create", "--product", "prod_t", "--currency", "usd", "--unit-amount", "4", "--interval",
                    "month", "--interval-count", "-1",
                ], "invalid_request"
            ),
            (
                ["subscriptions", "create", "--customer", "cus_1", "--item", "price_pkg", "--grace-period", "-1"],
                "invalid_request"
            ),
            (
                [
                    "events", "record", "--event-name", "tokens", "--customer", "cus_1", "--value", "1",
                    "--max-age-days", "-1",
                ], "invalid_request"
            ),
            (
                [
                    "events", "record", "--event-name", "tokens", "--customer", "cus_1", "--value", "1", "--timestamp",
                    "-1",
                ],
                "invalid_time"
            ),
        ])
    func negativeNumbersAreJudgedByTheCommand(_ args: [String], _ code: String) throws {
        let sb = try Sandbox()
        let db = try SignedFixture.ledger.copy(into: sb)
        try rejected(args, db: db, codes: [65], code: code, now: SignedFixture.now)
    }
}
