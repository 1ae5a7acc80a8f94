import Foundation
import Testing

/// Subscriptions, invoices, invoice items and the billing run through the binary (SPEC §2.4,
/// §2.5, §3 and the appendix; SCENARIOS P1, P2, P3 and P4's first bullet), always with `--json`
/// and the test clock `--now`.
///
/// Instants are written in the tests as ISO 8601 (UTC) and turned into Unix seconds by `at(_:)`;
/// the expected dates are written out by hand, never computed with calendar arithmetic. Every
/// test starts from a copy of `CLIFixture.standard`.

/// The instants most tests use.
private enum BT {
    static let jan1 = at("2026-01-01T00:00:00Z")
    static let jan20 = at("2026-01-20T00:00:00Z")
    static let feb1 = at("2026-02-01T00:00:00Z")
    static let mar1 = at("2026-03-01T00:00:00Z")
    static let apr1 = at("2026-04-01T00:00:00Z")
    static let hour: Int64 = 3_600
    /// One hour after the February boundary: January's invoices finalize then.
    static let febBill = "2026-02-01T01:00:00Z"
}

// MARK: Helpers

/// A line's `[period.start, period.end]`.
private func period(_ line: [String: Any]) -> [Int64] {
    let p = line["period"] as? [String: Any]
    return [int64(p?["start"]) ?? -1, int64(p?["end"]) ?? -1]
}

private func expectLine(
    _ line: [String: Any], price: String?, quantity: String, amount: Int64, period expected: [Int64]? = nil,
    currency: String = "usd", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(line["object"] as? String == "line_item", "\(line)", sourceLocation: sourceLocation)
    if let price {
        #expect(
            path(line, "pricing.price_details.price") as? String == price, "price: \(line)",
            sourceLocation: sourceLocation)
    } else {
        #expect(isNull(path(line, "pricing.price_details")), "price: \(line)", sourceLocation: sourceLocation)
    }
    #expect(
        line["quantity_decimal"] as? String == quantity, "quantity_decimal: \(line)", sourceLocation: sourceLocation)
    #expect(int64(line["amount"]) == amount, "amount: \(line)", sourceLocation: sourceLocation)
    #expect(line["currency"] as? String == currency, "currency: \(line)", sourceLocation: sourceLocation)
    if let expected {
        #expect(period(line) == expected, "period: \(line)", sourceLocation: sourceLocation)
    }
}

/// subtotal = total = amount_due = `subtotal`; amount_paid and amount_remaining as a `paid`
/// invoice or an unpaid one has them.
private func expectTotals(
    _ invoice: [String: Any], subtotal: Int64, paid: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(int64(invoice["subtotal"]) == subtotal, "subtotal: \(invoice)", sourceLocation: sourceLocation)
    #expect(int64(invoice["total"]) == subtotal, "total: \(invoice)", sourceLocation: sourceLocation)
    #expect(int64(invoice["amount_due"]) == subtotal, "amount_due: \(invoice)", sourceLocation: sourceLocation)
    #expect(
        int64(invoice["amount_paid"]) == (paid ? subtotal : 0), "amount_paid: \(invoice)",
        sourceLocation: sourceLocation)
    #expect(
        int64(invoice["amount_remaining"]) == (paid ? 0 : subtotal), "amount_remaining: \(invoice)",
        sourceLocation: sourceLocation)
}

/// An invoice's figures without generated IDs, to compare invoices reached along different paths.
private func figures(_ invoice: [String: Any]) -> String {
    var f: [String: Any] = [:]
    for key in [
        "status", "number", "currency", "customer", "billing_reason", "created", "period_start", "period_end",
        "subtotal", "total", "amount_due", "amount_paid", "amount_remaining", "status_transitions",
    ] {
        f[key] = invoice[key] ?? NSNull()
    }
    f["lines"] = lines(invoice).map { l -> [String: Any] in
        var out: [String: Any] = [:]
        for key in ["amount", "currency", "pricing", "quantity", "quantity_decimal", "period", "description"] {
            out[key] = l[key] ?? NSNull()
        }
        return out
    }
    return canonical(f)
}

private func number(_ n: Int) -> String {
    let digits = String(n)
    return "INV-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
}

private func ofCustomer(_ invoices: [[String: Any]], _ customer: String) -> [[String: Any]] {
    invoices.filter { $0["customer"] as? String == customer }
}

@Suite("billing through the binary")
struct BillingCLITests {
    // MARK: 1. P1: pay as you go

    @Test(
        "P1: no invoice at creation; 3000 tokens → one open invoice of 120 (INV-000001); bill is idempotent; steps = one run; a billed event cannot be cancelled"
    )
    func p1PayAsYouGo() throws {
        #expect(BT.jan1 == defaultNowSeconds)
        #expect(BT.feb1 == 1_769_904_000)
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let sub = try subscribe(db, "cus_1", ["price_payg"], id: "sub_p1")
        #expect(sub["status"] as? String == "active")
        #expect((sub["billing_mode"] as? [String: Any])?["type"] as? String == "flexible", "default mode: \(sub)")
        #expect(int64(path(sub, "items.data.0.current_period_start")) == BT.jan1)
        #expect(int64(path(sub, "items.data.0.current_period_end")) == BT.feb1)
        #expect(try invoiceList(db).isEmpty, "flexible: metered items are left off, and an empty invoice is not made")

        try usage(db, "alpaca_ai_tokens", "cus_1", "3000", at: "2026-01-05T12:00:00Z", id: "p1-1")
        try bill(db, now: BT.febBill, created: 1, finalized: 1)
        let invoices = try invoiceList(db, now: BT.febBill)
        try #require(invoices.count == 1, "\(invoices)")
        let inv = invoices[0]
        #expect(inv["status"] as? String == "open")
        #expect(inv["number"] as? String == "INV-000001")
        #expect(path(inv, "parent.subscription_details.subscription") as? String == "sub_p1")
        #expect(inv["customer"] as? String == "cus_1")
        #expect(inv["currency"] as? String == "usd")
        #expect(inv["billing_reason"] as? String == "subscription_cycle")
        #expect(int64(inv["period_start"]) == BT.jan1)
        #expect(int64(inv["period_end"]) == BT.feb1)
        #expect(
            int64(path(inv, "status_transitions.finalized_at")) == BT.feb1 + BT.hour,
            "finalizes one hour after the boundary")
        #expect(isNull(path(inv, "status_transitions.paid_at")))
        let ls = lines(inv)
        try #require(ls.count == 1, "\(inv)")
        expectLine(ls[0], price: "price_payg", quantity: "3000", amount: 120, period: [BT.jan1, BT.feb1])
        #expect(int64(ls[0]["quantity"]) == 3000)
        expectTotals(inv, subtotal: 120)

        // Running bill again changes nothing.
        let before = DatabaseSnapshot(db)
        try bill(db, now: BT.febBill, created: 0, finalized: 0)
        #expect(DatabaseSnapshot(db) == before, "a second billing run wrote to the file")
        let again = try invoiceList(db, now: BT.febBill)
        #expect(again.count == 1)
        #expect(again.first.map(canonical) == canonical(inv))

        // The event is billed on a finalized invoice: it cannot be cancelled.
        try rejected(
            ["events", "cancel", "--event-name", "alpaca_ai_tokens", "--identifier", "p1-1"], db: db, codes: [65],
            code: "event_already_invoiced", now: BT.febBill)

        // The same history billed in two steps: a draft at the boundary, finalized an hour later.
        let steps = try CLIFixture.standard.copy(into: sb, name: "steps.sqlite")
        try subscribe(steps, "cus_1", ["price_payg"], id: "sub_p1")
        try usage(steps, "alpaca_ai_tokens", "cus_1", "3000", at: "2026-01-05T12:00:00Z", id: "p1-1")
        try bill(steps, now: "2026-02-01T00:00:00Z", created: 1, finalized: 0)
        let drafts = try invoiceList(steps, now: "2026-02-01T00:00:00Z")
        try #require(drafts.count == 1, "\(drafts)")
        #expect(drafts[0]["status"] as? String == "draft")
        #expect(isNull(drafts[0]["number"]), "a draft has no number yet: \(drafts[0])")
        #expect(int64(drafts[0]["automatically_finalizes_at"]) == BT.feb1 + BT.hour, "\(drafts[0])")
        #expect(int64(drafts[0]["created"]) == BT.feb1)
        try bill(steps, now: BT.febBill, created: 0, finalized: 1)
        let stepped = try invoiceList(steps, now: BT.febBill)
        try #require(stepped.count == 1, "\(stepped)")
        #expect(figures(stepped[0]) == figures(inv), "steps:\n\(figures(stepped[0]))\none run:\n\(figures(inv))")
    }

    @Test("P1: 25 tokens → 4; 0 tokens → 0 and paid at finalization; the cad variant → 120 cad")
    func p1Variants() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_25")
        try subscribe(db, "cus_2", ["price_payg"], id: "sub_0")
        let cad = try subscribe(db, "cus_3", ["price_payg_cad"], id: "sub_cad")
        #expect(cad["currency"] as? String == "cad")
        #expect(try invoiceList(db).isEmpty, "flexible metered subscriptions make no invoice at creation")
        try usage(db, "alpaca_ai_tokens", "cus_1", "25", at: "2026-01-05T12:00:00Z", id: "v-25")
        try usage(db, "alpaca_ai_tokens", "cus_3", "3000", at: "2026-01-05T12:00:00Z", id: "v-cad")
        try bill(db, now: BT.febBill, created: 3, finalized: 3)
        let all = try invoiceList(db, now: BT.febBill)
        try #require(all.count == 3, "\(all)")
        #expect(Set(all.compactMap { $0["number"] as? String }) == ["INV-000001", "INV-000002", "INV-000003"])

        let i25 = try #require(ofCustomer(all, "cus_1").first)
        #expect(i25["status"] as? String == "open")
        #expect(int64(i25["period_start"]) == BT.jan1 && int64(i25["period_end"]) == BT.feb1, "\(i25)")
        try #require(lines(i25).count == 1, "\(i25)")
        expectLine(lines(i25)[0], price: "price_payg", quantity: "25", amount: 4, period: [BT.jan1, BT.feb1])
        expectTotals(i25, subtotal: 4)

        let i0 = try #require(ofCustomer(all, "cus_2").first)
        #expect(i0["status"] as? String == "paid", "nothing due → paid at finalization: \(i0)")
        #expect(int64(path(i0, "status_transitions.finalized_at")) == BT.feb1 + BT.hour)
        #expect(int64(path(i0, "status_transitions.paid_at")) == BT.feb1 + BT.hour, "\(i0)")
        try #require(lines(i0).count == 1, "\(i0)")
        expectLine(lines(i0)[0], price: "price_payg", quantity: "0", amount: 0, period: [BT.jan1, BT.feb1])
        #expect(int64(i0["subtotal"]) == 0 && int64(i0["total"]) == 0 && int64(i0["amount_due"]) == 0, "\(i0)")
        #expect(int64(i0["amount_remaining"]) == 0, "\(i0)")

        let iCad = try #require(ofCustomer(all, "cus_3").first)
        #expect(iCad["currency"] as? String == "cad")
        #expect(iCad["status"] as? String == "open")
        #expect(int64(iCad["period_start"]) == BT.jan1 && int64(iCad["period_end"]) == BT.feb1, "\(iCad)")
        try #require(lines(iCad).count == 1, "\(iCad)")
        expectLine(
            lines(iCad)[0], price: "price_payg_cad", quantity: "3000", amount: 120, period: [BT.jan1, BT.feb1],
            currency: "cad")
        expectTotals(iCad, subtotal: 120)
    }

    // MARK: 2. P2: flat fee and overages

    @Test("P2: licence invoiced at creation (INV-000001); February invoice = 8000 usage + 10000 licence")
    func p2FlatFeeAndOverages() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_licence:1", "price_overage"], id: "sub_p2")
        let first = try invoiceList(db, ["--subscription", "sub_p2"])
        try #require(first.count == 1, "\(first)")
        let inv1 = first[0]
        #expect(inv1["status"] as? String == "open", "the creation invoice finalizes at once: \(inv1)")
        #expect(inv1["number"] as? String == "INV-000001")
        #expect(inv1["billing_reason"] as? String == "subscription_create")
        #expect(int64(path(inv1, "status_transitions.finalized_at")) == BT.jan1)
        try #require(lines(inv1).count == 1, "flexible: no metered line: \(inv1)")
        expectLine(lines(inv1)[0], price: "price_licence", quantity: "1", amount: 10000, period: [BT.jan1, BT.feb1])
        expectTotals(inv1, subtotal: 10000)

        try usage(db, "hypernian_tokens", "cus_1", "3000", at: "2026-01-10T00:00:00Z", id: "p2-1")
        try bill(db, now: BT.febBill, created: 1, finalized: 1)
        let invoices = try invoiceList(db, ["--subscription", "sub_p2"], now: BT.febBill)
        try #require(invoices.count == 2, "\(invoices)")
        #expect(canonical(invoices[0]) == canonical(inv1), "invoice 1 is frozen")
        let inv2 = invoices[1]
        #expect(inv2["status"] as? String == "open")
        #expect(inv2["number"] as? String == "INV-000002")
        #expect(inv2["billing_reason"] as? String == "subscription_cycle")
        #expect(int64(inv2["period_start"]) == BT.jan1 && int64(inv2["period_end"]) == BT.feb1, "\(inv2)")
        let ls = lines(inv2)
        try #require(ls.count == 2, "\(inv2)")
        expectLine(ls[0], price: "price_overage", quantity: "3000", amount: 8000, period: [BT.jan1, BT.feb1])
        expectLine(ls[1], price: "price_licence", quantity: "1", amount: 10000, period: [BT.feb1, BT.mar1])
        expectTotals(inv2, subtotal: 18000)
    }

    @Test(
        "P2: 800 tokens → metered 0, subtotal 10000; licence quantity 3 → 30000; classic → a zero metered line at creation"
    )
    func p2Variants() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_licence", "price_overage"], id: "sub_800")
        let three = try subscribe(db, "cus_2", ["price_licence:3", "price_overage"], id: "sub_x3")
        let items = ((three["items"] as? [String: Any])?["data"] as? [[String: Any]]) ?? []
        #expect(items.map { int64($0["quantity"]) } == [3, nil], "\(three)")
        let classic = try subscribe(
            db, "cus_3", ["price_licence", "price_overage"], id: "sub_classic", extra: ["--billing-mode", "classic"])
        #expect((classic["billing_mode"] as? [String: Any])?["type"] as? String == "classic")

        let created = try invoiceList(db)
        try #require(created.count == 3, "\(created)")
        let c3 = try #require(ofCustomer(created, "cus_2").first)
        try #require(lines(c3).count == 1, "\(c3)")
        expectLine(lines(c3)[0], price: "price_licence", quantity: "3", amount: 30000, period: [BT.jan1, BT.feb1])
        #expect(int64(lines(c3)[0]["quantity"]) == 3)
        expectTotals(c3, subtotal: 30000)
        let cc = try #require(ofCustomer(created, "cus_3").first)
        #expect(cc["status"] as? String == "open")
        let ccLines = lines(cc)
        try #require(ccLines.count == 2, "classic: licence line plus a zero metered line: \(cc)")
        let zero = try #require(
            ccLines.first { path($0, "pricing.price_details.price") as? String == "price_overage" }, "\(cc)")
        expectLine(zero, price: "price_overage", quantity: "0", amount: 0)
        let licence = try #require(
            ccLines.first { path($0, "pricing.price_details.price") as? String == "price_licence" }, "\(cc)")
        expectLine(licence, price: "price_licence", quantity: "1", amount: 10000, period: [BT.jan1, BT.feb1])
        expectTotals(cc, subtotal: 10000)

        try usage(db, "hypernian_tokens", "cus_1", "800", at: "2026-01-10T00:00:00Z", id: "p2-800")
        try bill(db, now: BT.febBill, created: 3, finalized: 3)
        let all = try invoiceList(db, now: BT.febBill)
        try #require(all.count == 6, "\(all)")

        let i800 = try #require(ofCustomer(all, "cus_1").last)
        #expect(i800["billing_reason"] as? String == "subscription_cycle")
        try #require(lines(i800).count == 2, "\(i800)")
        expectLine(lines(i800)[0], price: "price_overage", quantity: "800", amount: 0, period: [BT.jan1, BT.feb1])
        expectLine(lines(i800)[1], price: "price_licence", quantity: "1", amount: 10000, period: [BT.feb1, BT.mar1])
        expectTotals(i800, subtotal: 10000)

        let ix3 = try #require(ofCustomer(all, "cus_2").last)
        #expect(ix3["billing_reason"] as? String == "subscription_cycle")
        try #require(lines(ix3).count == 2, "\(ix3)")
        expectLine(lines(ix3)[0], price: "price_overage", quantity: "0", amount: 0, period: [BT.jan1, BT.feb1])
        expectLine(lines(ix3)[1], price: "price_licence", quantity: "3", amount: 30000, period: [BT.feb1, BT.mar1])
        expectTotals(ix3, subtotal: 30000)
    }

    // MARK: 3. P3: Hypernian Pro

    @Test("P3: 250000 tokens → 15000 + 20000 = 35000; 100001 → 0; 100005 → 1 (half away from zero)")
    func p3HypernianPro() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let cases: [(customer: String, tokens: String, metered: Int64)] = [
            ("cus_1", "250000", 15000), ("cus_2", "100001", 0), ("cus_3", "100005", 1),
        ]
        for c in cases {
            try subscribe(db, c.customer, ["price_pro", "price_pro_usage"], id: "sub_pro_\(c.customer)")
        }
        for c in cases {
            try usage(db, "hypernian_tokens", c.customer, c.tokens, at: "2026-01-15T00:00:00Z", id: "p3-\(c.customer)")
        }
        try bill(db, now: BT.febBill, created: 3, finalized: 3)
        let all = try invoiceList(db, now: BT.febBill)
        try #require(all.count == 6, "\(all)")
        for c in cases {
            let mine = ofCustomer(all, c.customer)
            try #require(mine.count == 2, "\(c.customer): \(mine)")
            expectTotals(mine[0], subtotal: 20000)
            let feb = mine[1]
            #expect(feb["status"] as? String == "open", "\(c.customer): \(feb)")
            try #require(lines(feb).count == 2, "\(c.customer): \(feb)")
            expectLine(
                lines(feb)[0], price: "price_pro_usage", quantity: c.tokens, amount: c.metered,
                period: [BT.jan1, BT.feb1])
            expectLine(lines(feb)[1], price: "price_pro", quantity: "1", amount: 20000, period: [BT.feb1, BT.mar1])
            expectTotals(feb, subtotal: 20000 + c.metered)
        }
    }

    // MARK: 4. Grace period and late usage

    @Test(
        "grace: usage recorded inside the hour after the boundary counts; after finalization it is late; --grace-period 0 finalizes at the boundary"
    )
    func gracePeriod() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_payg"], id: "sub_g")
        let zero = try subscribe(db, "cus_2", ["price_licence"], id: "sub_g0", extra: ["--grace-period", "0"])
        #expect(int64(zero["finalization_grace_seconds"]) == 0, "\(zero)")
        try usage(db, "alpaca_ai_tokens", "cus_1", "3000", at: "2026-01-05T12:00:00Z", id: "g-1")

        // At the boundary: sub_g's invoice is a draft; sub_g0's finalizes at once.
        try bill(db, now: "2026-02-01T00:00:00Z", created: 2, finalized: 1)
        let atBoundary = try invoiceList(db, now: "2026-02-01T00:00:00Z")
        try #require(atBoundary.count == 3, "\(atBoundary)")
        let draft = try #require(
            atBoundary.first { path($0, "parent.subscription_details.subscription") as? String == "sub_g" })
        #expect(draft["status"] as? String == "draft", "\(draft)")
        #expect(int64(draft["automatically_finalizes_at"]) == BT.feb1 + BT.hour, "\(draft)")
        let g0 = try #require(
            atBoundary.last(where: { path($0, "parent.subscription_details.subscription") as? String == "sub_g0" }))
        #expect(g0["billing_reason"] as? String == "subscription_cycle", "\(g0)")
        #expect(g0["status"] as? String == "open", "grace 0: finalized at the boundary: \(g0)")
        #expect(int64(path(g0, "status_transitions.finalized_at")) == BT.feb1, "\(g0)")
        #expect(g0["number"] as? String == "INV-000002", "\(g0)")
        expectTotals(g0, subtotal: 10000)

        // Timestamped before the boundary, recorded half an hour after it: still January's.
        let inGrace = try usage(
            db, "alpaca_ai_tokens", "cus_1", "100", at: "2026-01-31T23:30:00Z", id: "g-2", now: "2026-02-01T00:30:00Z")
        #expect(inGrace["late"] as? Bool == false, "\(inGrace)")
        try bill(db, now: BT.febBill, created: 0, finalized: 1)
        let billed = try invoiceList(db, ["--subscription", "sub_g"], now: BT.febBill)
        try #require(billed.count == 1, "\(billed)")
        let jan = billed[0]
        #expect(jan["status"] as? String == "open")
        #expect(jan["number"] as? String == "INV-000003")
        #expect(int64(path(jan, "status_transitions.finalized_at")) == BT.feb1 + BT.hour)
        try #require(lines(jan).count == 1, "\(jan)")
        expectLine(lines(jan)[0], price: "price_payg", quantity: "3100", amount: 124, period: [BT.jan1, BT.feb1])
        expectTotals(jan, subtotal: 124)

        // Recorded after finalization: stored, late, never billed retroactively.
        let late = try usage(
            db, "alpaca_ai_tokens", "cus_1", "5000", at: "2026-01-20T00:00:00Z", id: "g-3", now: "2026-02-01T02:00:00Z")
        #expect(late["late"] as? Bool == true, "\(late)")
        try bill(db, now: "2026-02-01T02:00:00Z", created: 0, finalized: 0)
        let after = try invoiceList(db, ["--subscription", "sub_g"], now: "2026-02-01T02:00:00Z")
        #expect(after.count == 1)
        #expect(after.first.map(canonical) == canonical(jan), "a late event changed a finalized invoice")
        let shown = try ok(["events", "show", "g-3"], db: db, now: "2026-02-01T02:00:00Z")
        #expect(shown["late"] as? Bool == true, "\(shown)")
        #expect(shown["value"] as? String == "5000")
        #expect(int64(shown["timestamp"]) == at("2026-01-20T00:00:00Z"))
    }

    // MARK: 5. Invoice lifecycle; 12. verify

    @Test("invoice lifecycle: every forbidden transition rejected with nothing written; allowed paths; verify exits 0")
    func invoiceLifecycle() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let later = "2026-01-02T00:00:00Z"
        let laterSeconds = at(later)

        /// A manual draft holding one invoice item of `amount`; returns (invoice, item).
        func draft(_ amount: Int64, _ name: String) throws -> (String, String) {
            let inv = try ok(
                ["invoices", "create", "--customer", "cus_1", "--currency", "usd", "--id", "in_\(name)"], db: db)
            #expect(inv["status"] as? String == "draft", "\(inv)")
            #expect(inv["billing_reason"] as? String == "manual", "\(inv)")
            let item = try ok(
                [
                    "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", String(amount),
                    "--invoice", "in_\(name)", "--id", "ii_\(name)", "--description", "item \(name)",
                ], db: db)
            #expect(item["invoice"] as? String == "in_\(name)", "\(item)")
            return ("in_\(name)", "ii_\(name)")
        }
        func finalize(_ id: String, _ amount: Int64, number n: Int) throws {
            let inv = try ok(["invoices", "finalize", id], db: db)
            #expect(inv["status"] as? String == "open", "\(inv)")
            #expect(inv["number"] as? String == number(n), "\(inv)")
            #expect(int64(path(inv, "status_transitions.finalized_at")) == defaultNowSeconds, "\(inv)")
            expectTotals(inv, subtotal: amount)
        }
        func refuse(
            _ verb: String, _ id: String, _ code: String = "invalid_transition",
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            try rejected(
                ["invoices", verb, id], db: db, codes: [65], code: code, now: later, sourceLocation: sourceLocation)
        }

        // A draft can be neither paid, voided nor written off.
        let (a, aItem) = try draft(5000, "a")
        try refuse("pay", a)
        try refuse("void", a)
        try refuse("mark-uncollectible", a)

        // Every invoice is made and finalized first: the clock only moves forward, and the
        // transitions below run later.
        let (b, _) = try draft(10000, "b")
        try finalize(b, 10000, number: 1)
        let (c, _) = try draft(2000, "c")
        try finalize(c, 2000, number: 2)
        let (d, _) = try draft(3000, "d")
        try finalize(d, 3000, number: 3)
        let (e, _) = try draft(4000, "e")
        try finalize(e, 4000, number: 4)

        // open → paid; then nothing leaves paid.
        try refuse("finalize", b)
        try refuse("delete", b)
        try rejected(
            ["invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "5", "--invoice", b],
            db: db, codes: [65], code: "invoice_not_editable", now: later)
        let paid = try ok(["invoices", "pay", b], db: db, now: later)
        #expect(paid["status"] as? String == "paid", "\(paid)")
        #expect(int64(paid["amount_paid"]) == 10000 && int64(paid["amount_due"]) == 10000, "\(paid)")
        #expect(int64(paid["amount_remaining"]) == 0, "\(paid)")
        #expect(int64(path(paid, "status_transitions.paid_at")) == laterSeconds, "\(paid)")
        try refuse("void", b)
        try refuse("pay", b)
        try refuse("mark-uncollectible", b)

        // open → void; nothing leaves void.
        let voided = try ok(["invoices", "void", c], db: db, now: later)
        #expect(voided["status"] as? String == "void", "\(voided)")
        #expect(int64(path(voided, "status_transitions.voided_at")) == laterSeconds, "\(voided)")
        try refuse("pay", c)

        // open → uncollectible (kept for now), and open → uncollectible → void.
        let written = try ok(["invoices", "mark-uncollectible", d], db: db, now: later)
        #expect(written["status"] as? String == "uncollectible", "\(written)")
        #expect(int64((written["status_transitions"] as? [String: Any])?["marked_uncollectible_at"]) == laterSeconds)
        #expect(int64(written["amount_remaining"]) == 3000, "\(written)")
        try ok(["invoices", "mark-uncollectible", e], db: db, now: later)
        let eVoid = try ok(["invoices", "void", e], db: db, now: later)
        #expect(eVoid["status"] as? String == "void", "\(eVoid)")

        // Paid, void and uncollectible invoices side by side: the books still balance.
        let check = try ok(["verify"], db: db, now: later)
        #expect(check["ok"] as? Bool == true, "\(check)")

        // uncollectible → paid.
        let dPaid = try ok(["invoices", "pay", d], db: db, now: "2026-01-03T00:00:00Z")
        #expect(dPaid["status"] as? String == "paid", "\(dPaid)")
        #expect(int64(dPaid["amount_paid"]) == 3000 && int64(dPaid["amount_remaining"]) == 0, "\(dPaid)")
        #expect(int64(path(dPaid, "status_transitions.paid_at")) == at("2026-01-03T00:00:00Z"), "\(dPaid)")

        // draft → deleted; its item is pending again.
        let deleted = try ok(["invoices", "delete", a], db: db, now: "2026-01-03T00:00:00Z")
        #expect(deleted["deleted"] as? Bool == true && deleted["id"] as? String == a, "\(deleted)")
        let items = try ok(["invoice-items", "list", "--customer", "cus_1"], db: db, now: later)
        let data = try #require(items["data"] as? [[String: Any]], "\(items)")
        let pendingAgain = try #require(data.first { $0["id"] as? String == aItem }, "\(items)")
        #expect(isNull(pendingAgain["invoice"]), "the deleted draft's item is pending again: \(pendingAgain)")
        #expect(int64(pendingAgain["amount"]) == 5000)
        #expect(data.filter { !isNull($0["invoice"]) }.count == 4, "\(items)")

        let verifiedAgain = try ok(["verify"], db: db, now: later)
        #expect(verifiedAgain["ok"] as? Bool == true, "\(verifiedAgain)")
    }

    // MARK: 6. P4's first bullet; invoice items

    @Test(
        "P4: a manual invoice of 10,000,000 finalizes open and is paid; 0.05 × 30 → 2; pending items join the next invoice in their currency"
    )
    func manualInvoiceAndItems() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let credits = try ok(
            ["invoices", "create", "--customer", "cus_1", "--currency", "usd", "--description", "Hypernian Credits"],
            db: db)
        let invID = try #require(credits["id"] as? String)
        #expect(invID.hasPrefix("in_"), "\(invID)")
        #expect(credits["status"] as? String == "draft")
        #expect(credits["billing_reason"] as? String == "manual")
        #expect(credits["description"] as? String == "Hypernian Credits")
        #expect(lines(credits).isEmpty)
        let big = try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "10000000",
                "--invoice", invID, "--description", "Hypernian Credits",
            ], db: db)
        #expect((big["id"] as? String)?.hasPrefix("ii_") == true, "\(big)")
        #expect(int64(big["amount"]) == 10_000_000 && big["invoice"] as? String == invID, "\(big)")
        let open = try ok(["invoices", "finalize", invID], db: db)
        #expect(open["status"] as? String == "open", "\(open)")
        #expect(open["number"] as? String == "INV-000001")
        expectTotals(open, subtotal: 10_000_000)
        try #require(lines(open).count == 1, "\(open)")
        expectLine(lines(open)[0], price: nil, quantity: "1", amount: 10_000_000)
        #expect(lines(open)[0]["description"] as? String == "Hypernian Credits")
        #expect(path(lines(open)[0], "parent.invoice_item_details.invoice_item") as? String == big["id"] as? String)
        let paid = try ok(["invoices", "pay", invID], db: db)
        #expect(paid["status"] as? String == "paid", "\(paid)")
        expectTotals(paid, subtotal: 10_000_000, paid: true)

        // 0.05 × 30 = 1.5 → 2, pending; a cad item, pending.
        let small = try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--unit-amount-decimal", "0.05",
                "--quantity", "30", "--id", "ii_small",
            ], db: db)
        #expect(int64(small["amount"]) == 2, "\(small)")
        #expect(
            small["quantity_decimal"] as? String == "30"
                && path(small, "pricing.unit_amount_decimal") as? String == "0.05")
        #expect(isNull(small["invoice"]), "\(small)")
        try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "cad", "--amount", "700",
                "--id", "ii_cad",
            ], db: db)

        // The subscription's first invoice takes the usd item, not the cad one.
        try subscribe(db, "cus_1", ["price_licence"], id: "sub_items")
        let first = try invoiceList(db, ["--subscription", "sub_items"])
        try #require(first.count == 1, "\(first)")
        #expect(first[0]["number"] as? String == "INV-000002")
        try #require(lines(first[0]).count == 2, "\(first[0])")
        expectLine(
            lines(first[0])[0], price: "price_licence", quantity: "1", amount: 10000, period: [BT.jan1, BT.feb1])
        expectLine(lines(first[0])[1], price: nil, quantity: "30", amount: 2)
        #expect(path(lines(first[0])[1], "parent.invoice_item_details.invoice_item") as? String == "ii_small")
        expectTotals(first[0], subtotal: 10002)

        // An item created later joins the boundary invoice.
        try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "300",
                "--id", "ii_later",
            ], db: db, now: "2026-01-15T00:00:00Z")
        try bill(db, now: BT.febBill, created: 1, finalized: 1)
        let cycle = try invoiceList(db, ["--subscription", "sub_items"], now: BT.febBill)
        try #require(cycle.count == 2, "\(cycle)")
        try #require(lines(cycle[1]).count == 2, "\(cycle[1])")
        expectLine(
            lines(cycle[1])[0], price: "price_licence", quantity: "1", amount: 10000, period: [BT.feb1, BT.mar1])
        expectLine(lines(cycle[1])[1], price: nil, quantity: "1", amount: 300)
        #expect(path(lines(cycle[1])[1], "parent.invoice_item_details.invoice_item") as? String == "ii_later")
        expectTotals(cycle[1], subtotal: 10300)

        // The cad item waits for a manual cad invoice that includes pending items.
        let manual = try ok(
            [
                "invoices", "create", "--customer", "cus_1", "--currency", "cad", "--pending-items", "include",
                "--id", "in_cad",
            ], db: db, now: "2026-02-02T00:00:00Z")
        #expect(manual["status"] as? String == "draft" && manual["currency"] as? String == "cad", "\(manual)")
        try #require(lines(manual).count == 1, "\(manual)")
        expectLine(lines(manual)[0], price: nil, quantity: "1", amount: 700, currency: "cad")
        #expect(path(lines(manual)[0], "parent.invoice_item_details.invoice_item") as? String == "ii_cad")
        #expect(int64(manual["subtotal"]) == 700 && int64(manual["amount_due"]) == 700, "\(manual)")
        let items = try ok(["invoice-items", "list", "--customer", "cus_1"], db: db, now: "2026-02-02T00:00:00Z")
        let data = try #require(items["data"] as? [[String: Any]], "\(items)")
        var invoiceOf: [String: String] = [:]
        for item in data { invoiceOf[item["id"] as? String ?? "?"] = item["invoice"] as? String ?? "pending" }
        #expect(invoiceOf["ii_small"] == first[0]["id"] as? String, "\(items)")
        #expect(invoiceOf["ii_later"] == cycle[1]["id"] as? String, "\(items)")
        #expect(invoiceOf["ii_cad"] == "in_cad", "\(items)")
        #expect(!invoiceOf.values.contains("pending"), "\(items)")
    }

    // MARK: 7. Gapless numbers under two concurrent billing runs

    @Test(
        "two concurrent bill processes over 40 subscriptions: numbers INV-000001… without gap or repeat, one invoice per period"
    )
    func concurrentBillingRuns() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let subs = (1...40).map { "sub_gap_\($0)" }
        for (i, id) in subs.enumerated() {
            try subscribe(db, "cus_\(i % 3 + 1)", ["price_licence"], id: id)
        }

        let now = "2026-03-01T02:00:00Z"
        let a = try LedgerProcess(sb, "a", db: db, now: now, arguments: ["bill"])
        let b = try LedgerProcess(sb, "b", db: db, now: now, arguments: ["bill"])
        try a.process.run()
        try b.process.run()
        a.process.waitUntilExit()
        b.process.waitUntilExit()
        #expect(a.process.terminationStatus == 0, "bill A: exit \(a.process.terminationStatus): \(a.stderr)")
        #expect(b.process.terminationStatus == 0, "bill B: exit \(b.process.terminationStatus): \(b.stderr)")
        let ra = a.report
        let rb = b.report
        #expect((int64(ra["invoices_created"]) ?? 0) + (int64(rb["invoices_created"]) ?? 0) == 80, "A: \(ra)\nB: \(rb)")
        #expect(
            (int64(ra["invoices_finalized"]) ?? 0) + (int64(rb["invoices_finalized"]) ?? 0) == 80, "A: \(ra)\nB: \(rb)")

        let all = try invoiceList(db, now: now)
        #expect(all.count == 120, "40 creation invoices + 40 × 2 boundaries: \(all.count)")
        let finalized = all.filter { $0["status"] as? String != "draft" }
        #expect(finalized.count == all.count, "every invoice is finalized by 2026-03-01T02:00")
        let numbers = finalized.compactMap { $0["number"] as? String }
        #expect(numbers.count == finalized.count, "a finalized invoice without a number")
        #expect(numbers.sorted() == (0..<finalized.count).map { number($0 + 1) }, "numbers: \(numbers.sorted())")
        #expect(Set(numbers).count == numbers.count, "a number is repeated")

        for id in subs {
            let mine = all.filter { path($0, "parent.subscription_details.subscription") as? String == id }
            let periods = mine.map { [int64($0["period_start"]) ?? -1, int64($0["period_end"]) ?? -1] }
            #expect(
                periods.sorted { $0[1] < $1[1] } == [[BT.jan1, BT.jan1], [BT.jan1, BT.feb1], [BT.feb1, BT.mar1]],
                "\(id): one invoice at creation and one per ended period: \(periods)")
            let licences = mine.flatMap(lines).map(period).sorted { $0[0] < $1[0] }
            #expect(
                licences == [[BT.jan1, BT.feb1], [BT.feb1, BT.mar1], [BT.mar1, BT.apr1]],
                "\(id): each period's licence billed once: \(licences)")
            #expect(mine.allSatisfy { int64($0["total"]) == 10000 }, "\(id): \(mine.map { $0["total"] ?? "?" })")
        }
    }

    // MARK: 8. Periods

    @Test(
        "periods: monthly anchored on Jan 31 clamps to month ends; weekly steps 7 days; yearly on Feb 29 → Feb 28, back to Feb 29 in leap years"
    )
    func periods() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let start = "2026-01-31T00:00:00Z"
        let monthly = try subscribe(
            db, "cus_1", ["price_licence"], id: "sub_month", now: start, extra: ["--billing-cycle-anchor", start])
        #expect(int64(monthly["billing_cycle_anchor"]) == at(start))
        #expect(int64(path(monthly, "items.data.0.current_period_start")) == at(start))
        #expect(int64(path(monthly, "items.data.0.current_period_end")) == at("2026-02-28T00:00:00Z"), "\(monthly)")
        let weekly = try subscribe(db, "cus_2", ["price_week"], id: "sub_week", now: start)
        #expect(int64(path(weekly, "items.data.0.current_period_end")) == at("2026-02-07T00:00:00Z"), "\(weekly)")

        let until = "2027-02-01T02:00:00Z"
        try bill(db, now: until, created: 12 + 52, finalized: 12 + 52)

        // Monthly: the period ends, written out.
        let monthEnds = [
            "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31",
            "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31", "2027-01-31",
        ].map { at($0 + "T00:00:00Z") }
        let months = try invoiceList(db, ["--subscription", "sub_month"], now: until)
        try #require(months.count == 13, "\(months.count) invoices")
        #expect(months[0]["billing_reason"] as? String == "subscription_create")
        #expect(lines(months[0]).map(period) == [[at(start), monthEnds[0]]], "\(months[0])")
        let cycle = Array(months.dropFirst())
        #expect(cycle.map { int64($0["period_end"]) ?? -1 } == monthEnds)
        #expect(cycle.map { int64($0["period_start"]) ?? -1 } == [at(start)] + monthEnds.dropLast())
        let nextEnds = Array(monthEnds.dropFirst()) + [at("2027-02-28T00:00:00Z")]
        #expect(cycle.map { lines($0).map(period) } == zip(monthEnds, nextEnds).map { [[$0, $1]] })
        #expect(cycle.allSatisfy { int64($0["total"]) == 10000 && $0["status"] as? String == "open" })
        let m = try ok(["subscriptions", "show", "sub_month"], db: db, now: until)
        #expect(int64(path(m, "items.data.0.current_period_start")) == at("2027-01-31T00:00:00Z"), "\(m)")
        #expect(int64(path(m, "items.data.0.current_period_end")) == at("2027-02-28T00:00:00Z"), "\(m)")

        // Weekly: 52 boundaries from 2026-02-07 to 2027-01-30, seven days apart.
        let weeks = try invoiceList(db, ["--subscription", "sub_week"], now: until)
        try #require(weeks.count == 53, "\(weeks.count) invoices")
        let weekEnds = weeks.dropFirst().map { int64($0["period_end"]) ?? -1 }
        #expect(weekEnds.first == at("2026-02-07T00:00:00Z"))
        #expect(weekEnds.last == at("2027-01-30T00:00:00Z"))
        #expect(zip(weekEnds, weekEnds.dropFirst()).allSatisfy { $1 - $0 == 7 * 86_400 }, "\(weekEnds)")
        #expect(weeks.dropFirst().allSatisfy { int64($0["total"]) == 500 })
        let w = try ok(["subscriptions", "show", "sub_week"], db: db, now: until)
        #expect(int64(path(w, "items.data.0.current_period_end")) == at("2027-02-06T00:00:00Z"), "\(w)")

        // Yearly, anchored on a leap day.
        let ydb = try CLIFixture.standard.copy(into: sb, name: "yearly.sqlite")
        let leap = "2028-02-29T00:00:00Z"
        let yearly = try subscribe(
            ydb, "cus_1", ["price_year"], id: "sub_year", now: leap, extra: ["--billing-cycle-anchor", leap])
        #expect(int64(path(yearly, "items.data.0.current_period_end")) == at("2029-02-28T00:00:00Z"), "\(yearly)")
        try bill(ydb, now: "2032-03-01T02:00:00Z", created: 4, finalized: 4)
        let years = try invoiceList(ydb, ["--subscription", "sub_year"], now: "2032-03-01T02:00:00Z")
        #expect(
            years.dropFirst().map { int64($0["period_end"]) ?? -1 }
                == ["2029-02-28", "2030-02-28", "2031-02-28", "2032-02-29"].map { at($0 + "T00:00:00Z") },
            "\(years.map { $0["period_end"] ?? "?" })")
        let y = try ok(["subscriptions", "show", "sub_year"], db: ydb, now: "2032-03-01T02:00:00Z")
        #expect(int64(path(y, "items.data.0.current_period_start")) == at("2032-02-29T00:00:00Z"), "\(y)")
        #expect(int64(path(y, "items.data.0.current_period_end")) == at("2033-02-28T00:00:00Z"), "\(y)")
    }

    // MARK: 9–10. Preview and cancellation

    @Test(
        "preview writes nothing; cancel now bills usage to date on a final invoice; cancel at period end bills the last usage without a licence; cancelling twice is refused"
    )
    func previewAndCancel() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_licence", "price_overage"], id: "sub_now")
        try subscribe(db, "cus_2", ["price_licence", "price_overage"], id: "sub_end")
        try usage(db, "hypernian_tokens", "cus_1", "3000", at: "2026-01-10T00:00:00Z", id: "cn-1")
        try usage(db, "hypernian_tokens", "cus_2", "3000", at: "2026-01-10T00:00:00Z", id: "ce-1")

        let jan15 = "2026-01-15T00:00:00Z"
        let ape = try ok(["subscriptions", "cancel", "sub_end", "--at-period-end"], db: db, now: jan15)
        #expect(ape["status"] as? String == "active", "\(ape)")
        #expect(ape["cancel_at_period_end"] as? Bool == true, "\(ape)")
        #expect(int64(ape["canceled_at"]) == at(jan15), "\(ape)")

        // Preview: usage so far and the next licence; nothing written.
        let jan20 = "2026-01-20T00:00:00Z"
        let before = DatabaseSnapshot(db)
        let preview = try ok(["invoices", "preview", "--subscription", "sub_now"], db: db, now: jan20)
        #expect(DatabaseSnapshot(db) == before, "invoices preview changed the file")
        #expect(preview["status"] as? String == "draft" && isNull(preview["number"]), "\(preview)")
        #expect(path(preview, "parent.subscription_details.subscription") as? String == "sub_now")
        #expect(int64(preview["period_start"]) == BT.jan1 && int64(preview["period_end"]) == BT.feb1, "\(preview)")
        try #require(lines(preview).count == 2, "\(preview)")
        expectLine(
            lines(preview)[0], price: "price_overage", quantity: "3000", amount: 8000, period: [BT.jan1, BT.feb1])
        expectLine(lines(preview)[1], price: "price_licence", quantity: "1", amount: 10000, period: [BT.feb1, BT.mar1])
        expectTotals(preview, subtotal: 18000)
        let lastPreview = try ok(["invoices", "preview", "--subscription", "sub_end"], db: db, now: jan20)
        #expect(DatabaseSnapshot(db) == before, "invoices preview changed the file")
        try #require(lines(lastPreview).count == 1, "ending at period end: no next licence: \(lastPreview)")
        expectLine(lines(lastPreview)[0], price: "price_overage", quantity: "3000", amount: 8000)

        // Cancel now: a final draft with usage to date, finalized after the grace.
        let canceled = try ok(["subscriptions", "cancel", "sub_now"], db: db, now: jan20)
        #expect(canceled["status"] as? String == "canceled", "\(canceled)")
        #expect(int64(canceled["canceled_at"]) == BT.jan20, "\(canceled)")
        let afterCancel = try invoiceList(db, ["--subscription", "sub_now"], now: jan20)
        try #require(afterCancel.count == 2, "\(afterCancel)")
        let finalDraft = afterCancel[1]
        #expect(finalDraft["billing_reason"] as? String == "subscription_update", "cut short: \(finalDraft)")
        #expect(finalDraft["status"] as? String == "draft", "\(finalDraft)")
        #expect(int64(finalDraft["automatically_finalizes_at"]) == BT.jan20 + BT.hour, "\(finalDraft)")
        #expect(
            int64(finalDraft["period_start"]) == BT.jan1 && int64(finalDraft["period_end"]) == BT.jan20, "\(finalDraft)"
        )
        try #require(lines(finalDraft).count == 1, "usage only, no licence: \(finalDraft)")
        expectLine(
            lines(finalDraft)[0], price: "price_overage", quantity: "3000", amount: 8000, period: [BT.jan1, BT.jan20])
        try rejected(["invoices", "preview", "--subscription", "sub_now"], db: db, codes: [65], now: jan20)
        try rejected(
            ["subscriptions", "cancel", "sub_now"], db: db, codes: [65], code: "subscription_canceled", now: jan20)

        try bill(db, now: "2026-01-20T00:30:00Z", created: 0, finalized: 0)  // inside the grace: still a draft
        try bill(db, now: "2026-01-20T01:00:00Z", created: 0, finalized: 1)
        let closed = try invoiceList(db, ["--subscription", "sub_now"], now: "2026-01-20T01:00:00Z")
        try #require(closed.count == 2, "\(closed)")
        #expect(closed[1]["status"] as? String == "open", "\(closed[1])")
        #expect(closed[1]["number"] as? String == "INV-000003", "\(closed[1])")
        #expect(int64(path(closed[1], "status_transitions.finalized_at")) == BT.jan20 + BT.hour)
        expectTotals(closed[1], subtotal: 8000)

        // At period end: the last period's usage, no next licence, and the subscription ends.
        try bill(db, now: BT.febBill, created: 1, finalized: 1, ended: 1)
        let ended = try invoiceList(db, ["--subscription", "sub_end"], now: BT.febBill)
        try #require(ended.count == 2, "\(ended)")
        let last = ended[1]
        #expect(last["status"] as? String == "open", "\(last)")
        #expect(last["number"] as? String == "INV-000004", "\(last)")
        #expect(last["billing_reason"] as? String == "subscription_cycle", "a whole last period: \(last)")
        #expect(int64(last["period_start"]) == BT.jan1 && int64(last["period_end"]) == BT.feb1, "\(last)")
        try #require(lines(last).count == 1, "no licence line for a period that will not happen: \(last)")
        expectLine(lines(last)[0], price: "price_overage", quantity: "3000", amount: 8000, period: [BT.jan1, BT.feb1])
        expectTotals(last, subtotal: 8000)
        let endedSub = try ok(["subscriptions", "show", "sub_end"], db: db, now: BT.febBill)
        #expect(endedSub["status"] as? String == "canceled", "\(endedSub)")
        #expect(int64(endedSub["ended_at"]) == BT.feb1, "\(endedSub)")
        try bill(db, now: "2026-03-01T02:00:00Z", created: 0, finalized: 0)
    }

    @Test(
        "subscription creation refused, file unchanged: unknown customer or price, archived, one_time, metered quantity, two currencies, two intervals, duplicate price, future backdate, anchor before start"
    )
    func creationRejections() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        func create(_ customer: String, _ items: [String], _ extra: [String] = []) -> [String] {
            ["subscriptions", "create", "--customer", customer] + items.flatMap { ["--item", $0] } + extra
        }
        try rejected(create("cus_missing", ["price_licence"]), db: db, codes: [65], code: "resource_missing")
        try rejected(create("cus_1", ["price_missing"]), db: db, codes: [65], code: "resource_missing")
        try rejected(create("cus_1", ["price_archived"]), db: db, codes: [65], code: "price_inactive")
        try rejected(create("cus_1", ["price_onetime"]), db: db, codes: [65])
        try rejected(create("cus_1", ["price_payg:2"]), db: db, codes: [65])
        try rejected(
            create("cus_1", ["price_licence", "price_licence_eur"]), db: db, codes: [65], code: "currency_mismatch")
        try rejected(create("cus_1", ["price_licence", "price_week"]), db: db, codes: [65])
        try rejected(create("cus_1", ["price_licence", "price_licence:2"]), db: db, codes: [65])
        try rejected(
            create("cus_1", ["price_licence"], ["--backdate-start-date", "2026-02-01T00:00:00Z"]), db: db, codes: [65])
        try rejected(
            create("cus_1", ["price_licence"], ["--billing-cycle-anchor", "2025-12-01T00:00:00Z"]), db: db, codes: [65])
    }
}
