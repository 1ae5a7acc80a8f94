import Foundation
import Testing

/// The public acceptance scenarios P3, P4 and P5 (and the rounding of P1's packages) through the
/// binary; see AcceptanceScenarioTests.swift.

/// A credit balance summary's `field` (`ledger_balance`, `available_balance`) in usd (0 when absent).
private func usdBalance(_ summary: [String: Any], _ field: String = "available_balance") -> Int64? {
    for entry in (summary["balances"] as? [[String: Any]]) ?? [] {
        let money = path(entry, "\(field).monetary")
        if path(money, "currency") as? String == "usd" { return int64(path(money, "value")) }
    }
    return 0
}

extension AcceptanceScenarioTests {
    // MARK: P5, and P1's and P3's prices

    @Test("P5: Stripe's tier examples, volume and graduated, with and without flat fees")
    func stripeTierExamples() throws {
        let l = try AcceptanceLedger()
        let product = try l.product()
        let common = [
            "prices", "create", "--product", product, "--currency", "usd", "--interval", "month", "--usage-type",
            "licensed", "--billing-scheme", "tiered",
        ]
        func price(_ mode: String, _ tiers: [String]) throws -> String {
            try l.id(common + ["--tiers-mode", mode] + tiers.flatMap { ["--tier", $0] })
        }
        let tiers = ["up_to=5,unit_amount=700", "up_to=10,unit_amount=650", "up_to=inf,unit_amount=600"]
        let volume = try price("volume", tiers)
        let graduated = try price("graduated", tiers)
        for (quantity, amount) in [(5, 3500), (6, 3900), (20, 12000), (25, 15000)] as [(Int, Int64)] {
            #expect(try l.quote(volume, quantity) == amount, "volume quantity \(quantity)")
        }
        for (quantity, amount) in [(6, 4150), (20, 12750), (25, 15750)] as [(Int, Int64)] {
            #expect(try l.quote(graduated, quantity) == amount, "graduated quantity \(quantity)")
        }
        let flat = [
            "up_to=5,unit_amount=500,flat_amount=1000", "up_to=10,unit_amount=400,flat_amount=2000",
            "up_to=15,unit_amount=300,flat_amount=3000", "up_to=20,unit_amount=200,flat_amount=4000",
            "up_to=inf,unit_amount=100,flat_amount=5000",
        ]
        let flatVolume = try price("volume", flat)
        let flatGraduated = try price("graduated", flat)
        #expect(try l.quote(flatVolume, 12) == 6600, "volume with flat fees, 12")
        #expect(try l.quote(flatGraduated, 12) == 11100, "graduated with flat fees, 12")
        #expect(try l.quote(flatVolume, 0) == 1000, "volume, quantity 0")
        #expect(try l.quote(flatGraduated, 0) == 1000, "graduated, quantity 0")
    }

    @Test("P1, P3, P5: decimal unit amounts, packages of transform_quantity and rounding half away from zero")
    func decimalsTransformRounding() throws {
        let l = try AcceptanceLedger()
        let product = try l.product()
        let base = [
            "prices", "create", "--product", product, "--currency", "usd", "--interval", "month", "--usage-type",
            "licensed",
        ]
        let tenth = try l.id(base + ["--unit-amount-decimal", "0.05"])
        #expect(try l.quote(tenth, 30) == 2, "0.05 x 30 rounds 1.5 up to 2")
        #expect(try l.quote(tenth, 10) == 1, "0.05 x 10 = 0.5 rounds to 1")
        #expect(try l.quote(tenth, 9) == 0, "0.05 x 9 = 0.45 rounds to 0")
        let up = try l.id(base + ["--unit-amount", "4", "--divide-by", "100", "--round", "up"])
        #expect(try l.quote(up, 3000) == 120, "3000 tokens at 4 per 100, up")
        #expect(try l.quote(up, 25) == 4, "25 tokens at 4 per 100, up")
        #expect(try l.quote(up, 101) == 8, "101 tokens at 4 per 100, up")
        let down = try l.id(base + ["--unit-amount", "4", "--divide-by", "100", "--round", "down"])
        #expect(try l.quote(down, 199) == 4, "199 tokens at 4 per 100, down")
        let pro = try l.id(
            base + [
                "--billing-scheme", "tiered", "--tiers-mode", "graduated", "--tier",
                "up_to=100000,unit_amount_decimal=0", "--tier", "up_to=inf,unit_amount_decimal=0.1",
            ])
        #expect(try l.quote(pro, 250_000) == 15000, "Hypernian Pro 250,000 tokens")
        #expect(try l.quote(pro, 100_001) == 0, "100,001 tokens: 0.1 cent rounds to 0")
        #expect(try l.quote(pro, 100_005) == 1, "100,005 tokens: 0.5 cent rounds to 1")
        let tiny = try l.id(base + ["--unit-amount-decimal", "0.000000000001"])
        #expect(try l.quote(tiny, "1000000000000") == 1, "12-decimal unit amount x 10^12")
        let yen = try l.id([
            "prices", "create", "--product", product, "--currency", "JPY", "--interval", "month", "--usage-type",
            "licensed", "--unit-amount", "150",
        ])
        let quote = try l.json(["prices", "quote", yen, "--quantity", "3"])
        #expect(int64(quote["amount"]) == 450 && quote["currency"] as? String == "jpy", "jpy: \(quote)")
    }

    // MARK: P3

    @Test(
        "P3: Hypernian Pro, 100,000 tokens included: 250,000 → 15000 (subtotal 35000); 100,001 → 0; 100,005 → 1",
        arguments: [(250_000, 15000), (100_001, 0), (100_005, 1)] as [(Int64, Int64)])
    func hypernianPro(tokens: Int64, metered: Int64) throws {
        let l = try AcceptanceLedger()
        let customer = try l.customer()
        let (licence, usage) = try l.licenceAndUsage(
            event: "hypernian_api_tokens", licence: 20000, included: 100_000, overage: "0.1")
        try l.json(["subscriptions", "create", "--customer", customer, "--item", licence, "--item", usage])
        try l.record("hypernian_api_tokens", customer, tokens, at: "2026-01-15T00:00:00Z")
        try l.json(["bill"], now: acceptanceFebBill)
        let invoices = try l.invoices(customer, now: acceptanceFebBill)
        try #require(invoices.count == 2, "the creation invoice and February's: \(invoices)")
        #expect(lineAmounts(invoices[0]) == [20000], "\(invoices[0])")
        let february = invoices[1]
        #expect(lineAmounts(february) == [metered, 20000], "\(february)")
        #expect(int64(february["subtotal"]) == 20000 + metered, "\(february)")
        let usageLine = lines(february).first { path($0, "pricing.price_details.price") as? String == usage }
        #expect(usageLine?["quantity_decimal"] as? String == "\(tokens)", "\(february)")
    }

    // MARK: P4

    @Test("P4: a prepaid contract burns down on usage, reconciles, and expires a year later with its breakage")
    func prepaidContract() throws {
        let l = try AcceptanceLedger()
        let customer = try l.customer("Enterprise")
        let funding = try l.id([
            "invoices", "create", "--customer", customer, "--currency", "usd", "--description", "Hypernian Credits",
        ])
        try l.json([
            "invoice-items", "create", "--customer", customer, "--currency", "usd", "--amount", "10000000",
            "--invoice", funding, "--description", "Hypernian Credits",
        ])
        let finalized = try l.json(["invoices", "finalize", funding])
        #expect(finalized["status"] as? String == "open", "\(finalized)")
        #expect(int64(finalized["amount_due"]) == 10_000_000, "\(finalized)")
        let paid = try l.json(["invoices", "pay", funding])
        #expect(paid["status"] as? String == "paid", "\(paid)")
        let grant = try l.id([
            "grants", "create", "--customer", customer, "--amount", "12000000", "--currency", "usd", "--category",
            "paid", "--scope", "metered", "--effective-at", "2026-01-01T00:00:00Z", "--expires-at",
            "2027-01-01T00:00:00Z", "--cost-basis", "10000000", "--funding-invoice", funding, "--name",
            "Enterprise contract",
        ])
        let (licence, usage) = try l.licenceAndUsage(
            event: "hypernian_api_tokens", licence: 20000, included: 100_000, overage: "0.1")
        try l.json(["subscriptions", "create", "--customer", customer, "--item", licence, "--item", usage])
        try l.record("hypernian_api_tokens", customer, 250_000, at: "2026-01-15T00:00:00Z")
        try l.json(["bill"], now: acceptanceFebBill)

        let feb2 = "2026-02-02T00:00:00Z"
        let february = try #require(try l.invoices(customer, now: feb2).last { subscriptionOf($0) != nil })
        #expect(int64(february["subtotal"]) == 35000, "\(february)")
        let credited = (february["total_pretax_credit_amounts"] as? [[String: Any]]) ?? []
        #expect(credited.map { int64($0["amount"]) ?? -1 }.reduce(0, +) == 15000, "\(february)")
        #expect(int64(february["total"]) == 20000 && int64(february["amount_due"]) == 20000, "\(february)")
        let meteredLine = try #require(
            lines(february).first { path($0, "pricing.price_details.price") as? String == usage }, "\(february)")
        #expect(int64(meteredLine["amount"]) == 15000, "\(meteredLine)")
        #expect(int64(path(meteredLine, "pretax_credit_amounts.0.amount")) == 15000, "\(meteredLine)")
        let licenceLine = lines(february).first { path($0, "pricing.price_details.price") as? String == licence }
        #expect(int64(licenceLine?["amount"]) == 20000, "\(february)")
        #expect((licenceLine?["pretax_credit_amounts"] as? [Any])?.isEmpty == true, "\(february)")

        let balance = try l.json(["balance", "--customer", customer], now: feb2)
        #expect(usdBalance(balance) == 11_985_000, "available balance after February: \(balance)")
        #expect(usdBalance(balance, "ledger_balance") == 11_985_000, "ledger balance after February: \(balance)")
        let txns = try listData(["credit-transactions", "list", "--customer", customer], l.db, now: feb2)
        let applied = txns.filter {
            $0["type"] as? String == "debit" && path($0, "debit.type") as? String == "credits_applied"
        }
        #expect(applied.map { int64(path($0, "debit.amount.monetary.value")) } == [15000], "\(txns)")
        #expect(applied.first?["credit_grant"] as? String == grant, "\(applied)")
        #expect(path(applied.first, "debit.credits_applied.invoice") as? String == february["id"] as? String)
        #expect(
            path(applied.first, "debit.credits_applied.invoice_line_item") as? String == meteredLine["id"] as? String)

        let open = try l.json(["reconcile", "--customer", customer], now: feb2)
        let contract = path(open, "contracts.0") as? [String: Any] ?? [:]
        #expect(
            ["committed", "paid", "granted", "applied", "remaining", "recognized_revenue_at_cost"].map {
                int64(contract[$0]) ?? -1
            } == [10_000_000, 10_000_000, 12_000_000, 15000, 11_985_000, 12500], "\(open)")
        #expect((contract["differences"] as? [String: Any])?.values.allSatisfy { int64($0) == 0 } == true, "\(open)")
        #expect(open["ok"] as? Bool == true, "\(open)")

        // A year later, with no more usage: the rest expires at 2027-01-01T00:00:00Z exactly.
        let expiry = "2027-01-01T00:00:00Z"
        let later = "2027-01-02T00:00:00Z"
        try l.json(["bill"], now: expiry)
        let before = try l.json(["balance", "--customer", customer, "--as-of", "2026-12-31T23:59:59Z"], now: later)
        let atExpiry = try l.json(["balance", "--customer", customer, "--as-of", expiry], now: later)
        #expect(usdBalance(before) == 11_985_000, "one second before expiry: \(before)")
        #expect(usdBalance(atExpiry) == 0, "at the expiry instant: \(atExpiry)")
        let expired = try listData(["credit-transactions", "list", "--customer", customer], l.db, now: later).filter {
            path($0, "debit.type") as? String == "credits_expired"
        }
        #expect(expired.map { int64(path($0, "debit.amount.monetary.value")) } == [11_985_000], "\(expired)")
        #expect(expired.map { int64($0["effective_at"]) } == [at(expiry)], "\(expired)")
        let closed = try l.json(["reconcile", "--customer", customer], now: later)
        let ended = path(closed, "contracts.0") as? [String: Any] ?? [:]
        let recognized = int64(ended["recognized_revenue_at_cost"])
        let breakage = int64(ended["breakage_at_cost"])
        #expect(recognized == 12500 && breakage == 9_987_500, "\(closed)")
        #expect((recognized ?? 0) + (breakage ?? 0) == 10_000_000, "\(closed)")
        #expect(closed["ok"] as? Bool == true, "\(closed)")
    }
}
