import Foundation
import Testing

/// `ledger allowances`: a subscription's recurring grants, their rollover, and refusals that change nothing.
@Suite struct AllowancesCLITests {
    /// `price_payg` bills 4 cents per 100 tokens (rounded up); the allowance gives 50.00 a month
    /// and carries up to 20.00 over for two periods.
    func allowance() throws -> (Sandbox, String) {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_a")
        let created = try ok(
            [
                "allowances", "create", "--subscription", "sub_a", "--amount", "5000", "--scope", "metered",
                "--rollover-max", "2000", "--rollover-periods", "2", "--name", "Included tokens", "--id", "calw_1",
            ], db: db)
        #expect(created["object"] as? String == "billing.credit_allowance", "\(created)")
        #expect(
            int64(path(created, "amount.monetary.value")) == 5000
                && path(created, "amount.monetary.currency") as? String == "usd")
        #expect(int64(path(created, "rollover.max")) == 2000 && int64(path(created, "rollover.periods")) == 2)
        #expect(created["category"] as? String == "promotional" && created["status"] as? String == "active")
        return (sb, db)
    }

    @Test("each period's grant pays that period; January's unused 26.00 rolls over 20.00 for two periods")
    func rollover() throws {
        let (sb, db) = try allowance()
        _ = sb
        try usage(db, "alpaca_ai_tokens", "cus_1", 60000, at: "2026-01-10T00:00:00Z", id: "e-1")  // 24.00
        // Before any billing run, the balance already holds February's grant and the rollover.
        let now = "2026-02-01T02:00:00Z"
        let before = try ok(["balance", "--customer", "cus_1"], db: db, now: now)
        let balance = { (json: [String: Any]) in int64(path(json, "balances.0.available_balance.monetary.value")) }
        #expect(balance(before) == Int64(7000), "\(before)")
        try bill(db, now: now, created: 1, finalized: 1)
        #expect(balance(try ok(["balance", "--customer", "cus_1"], db: db, now: now)) == Int64(7000))
        let grants = try listData(["grants", "list", "--customer", "cus_1"], db, now: now)
        #expect(grants.count == 3, "\(grants)")
        let january = grants[0]
        #expect(int64(path(january, "balance.applied")) == 2400 && int64(path(january, "balance.expired")) == 2600)
        #expect(int64(january["expires_at"]) == at("2026-02-01T01:00:00Z"), "\(january)")
        let rolled = try #require(
            grants.first { path($0, "allowance.rolled_over_from") as? String == january["id"] as? String })
        #expect(int64(path(rolled, "amount.monetary.value")) == 2000)
        #expect(int64(rolled["effective_at"]) == at("2026-02-01T01:00:00Z"))
        #expect(int64(path(rolled, "allowance.service_period.start")) == at("2026-02-01T00:00:00Z"))
        #expect(int64(path(rolled, "allowance.service_period.end")) == at("2026-04-01T00:00:00Z"))
        #expect(path(rolled, "allowance.id") as? String == "calw_1")
        let february = try #require(grants.first { int64($0["effective_at"]) == at("2026-02-01T00:00:00Z") })
        #expect(path(february, "allowance.rolled_over_from") is NSNull && february["expires_at"] is NSNull)
        let invoice = try #require(try invoiceList(db, now: now).first)
        #expect(int64(invoice["total"]) == 0, "January's 24.00 is paid by January's grant")

        // Human output lists the grants it issued.
        let shown = run(["allowances", "show", "calw_1"], db: db, now: now, json: false)
        #expect(shown.status == 0 && shown.stdout.contains("up to 20.00 usd for 2 periods"), "\(shown.stdout)")
        #expect(humanRows(shown.stdout).filter { $0.first?.hasPrefix("credgr_") == true }.count == 3)

        // Cancelled: March gets no grant; what was issued stays.
        let canceled = try ok(["allowances", "cancel", "calw_1"], db: db, now: now)
        #expect(canceled["status"] as? String == "canceled" && int64(canceled["canceled_at"]) == at(now))
        try bill(db, now: "2026-03-01T02:00:00Z", created: 1, finalized: 1)
        let march = try listData(["grants", "list", "--customer", "cus_1"], db, now: "2026-03-01T02:00:00Z")
        #expect(march.count == 4, "February's unused 50.00 rolls over 20.00; no March grant: \(march.count)")
        #expect(march.filter { int64($0["effective_at"]) == at("2026-03-01T00:00:00Z") }.isEmpty)
        #expect(
            try listData(["allowances", "list", "--subscription", "sub_a"], db, now: "2026-03-01T02:00:00Z").count == 1)
    }

    @Test("refusals: bad amounts, rollover, scope, subscription, grant expiry; each with its code, the file unchanged")
    func refusals() throws {
        let (sb, db) = try allowance()
        _ = sb
        let base = ["allowances", "create", "--subscription", "sub_a", "--scope", "metered"]
        try rejected(base + ["--amount", "0"], db: db, codes: [65], code: "invalid_amount")
        try rejected(base + ["--amount", "1.5"], db: db, codes: [65], code: "invalid_amount")
        try rejected(base + ["--amount", "100", "--rollover-max", "0"], db: db, codes: [65], code: "invalid_amount")
        try rejected(
            base + ["--amount", "100", "--rollover-max", "10", "--rollover-periods", "13"], db: db, codes: [65],
            code: "invalid_request")
        try rejected(base + ["--amount", "100", "--priority", "101"], db: db, codes: [65], code: "invalid_request")
        try rejected(
            ["allowances", "create", "--subscription", "sub_a", "--amount", "100"], db: db, codes: [64, 65],
            code: "invalid_request")
        try rejected(
            ["allowances", "create", "--subscription", "sub_a", "--amount", "100", "--scope-price", "price_licence"],
            db: db, codes: [65], code: "invalid_request")
        try rejected(
            ["allowances", "create", "--subscription", "sub_nope", "--amount", "100", "--scope", "metered"], db: db,
            codes: [65], code: "resource_missing")
        try rejected(
            base + ["--amount", "100", "--id", "calw_1"], db: db, codes: [65], code: "resource_already_exists")
        try rejected(["allowances", "show", "calw_nope"], db: db, codes: [65], code: "resource_missing")
        try rejected(["allowances", "cancel", "calw_nope"], db: db, codes: [65], code: "resource_missing")
        try rejected(["allowances", "list", "--status", "active"], db: db, codes: [64], code: "invalid_usage")
        try rejected(["allowances", "create", "--amount", "100"], db: db, codes: [64], code: "invalid_usage")
        // An allowance's grant expires when its periods are invoiced; its expiry is not set by hand.
        let grant = try #require(try listData(["grants", "list"], db, now: defaultNow).first?["id"] as? String)
        try rejected(
            ["grants", "update", grant, "--expires-at", "2026-06-01T00:00:00Z"], db: db, codes: [65],
            code: "invalid_request")
        try ok(["allowances", "cancel", "calw_1"], db: db)
        try rejected(["allowances", "cancel", "calw_1"], db: db, codes: [65], code: "invalid_request")
        try ok(["subscriptions", "cancel", "sub_a"], db: db)
        try rejected(base + ["--amount", "100"], db: db, codes: [65], code: "subscription_canceled")
    }
}
