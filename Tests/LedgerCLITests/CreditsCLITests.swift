import Foundation
import Testing

/// Credit grants, burndown, credit balance transactions, balances and the journal accounts of
/// credits through the binary (SPEC §2.6, §2.7, §3 and the appendix; SCENARIOS P4), always with
/// `--json` and the test clock `--now`.
///
/// Instants are written as ISO 8601 (UTC) and turned into Unix seconds by `at(_:)`. Most tests use
/// the simple metered prices `price_m1` / `price_m2` (1 cent a token), so a line's amount is its
/// token count and every credit figure can be written out by hand. Every test starts from a copy
/// of `CLIFixture.standard`.

/// The instants most tests use.
private enum CT {
    static let jan1 = "2026-01-01T00:00:00Z"
    static let jan15 = "2026-01-15T00:00:00Z"
    static let feb1 = "2026-02-01T00:00:00Z"
    /// One hour after the February boundary: January's invoices finalize then.
    static let febBill = "2026-02-01T01:00:00Z"
    static let feb2 = "2026-02-02T00:00:00Z"
}

// MARK: Helpers

/// `grants create --customer C --amount N --currency CUR --id ID extra…` (requires exit 0).
@discardableResult
private func grant(
    _ db: String, _ customer: String, _ amount: Int64, id: String, currency: String = "usd",
    _ extra: [String] = ["--scope", "metered"], now: String = defaultNow,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    let g = try ok(
        ["grants", "create", "--customer", customer, "--amount", String(amount), "--currency", currency, "--id", id]
            + extra, db: db, now: now, sourceLocation: sourceLocation)
    #expect(g["id"] as? String == id, "\(g)", sourceLocation: sourceLocation)
    #expect(g["object"] as? String == "billing.credit_grant", "\(g)", sourceLocation: sourceLocation)
    let money = (g["amount"] as? [String: Any])?["monetary"] as? [String: Any]
    #expect(int64(money?["value"]) == amount, "amount: \(g)", sourceLocation: sourceLocation)
    #expect(money?["currency"] as? String == currency, "currency: \(g)", sourceLocation: sourceLocation)
    return g
}

/// The line of `price` on `invoice`.
private func line(
    _ invoice: [String: Any], price: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Any] {
    try #require(
        lines(invoice).first { path($0, "pricing.price_details.price") as? String == price },
        "no line of \(price): \(invoice)",
        sourceLocation: sourceLocation)
}

/// A credit amounts array (`pretax_credit_amounts` or `total_pretax_credit_amounts`) as
/// "grant:amount" strings, in order.
private func credits(_ value: Any?) -> [String] {
    ((value as? [[String: Any]]) ?? []).map { "\($0["credit_grant"] as? String ?? "?"):\(int64($0["amount"]) ?? -1)" }
}

private func creditSum(_ value: Any?) -> Int64 {
    ((value as? [[String: Any]]) ?? []).reduce(0) { $0 + (int64($1["amount"]) ?? 0) }
}

/// subtotal, the credits, total and amount due of an invoice.
private func expectTotals(
    _ invoice: [String: Any], subtotal: Int64, credited: Int64, status: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let total = subtotal - credited
    #expect(int64(invoice["subtotal"]) == subtotal, "subtotal: \(invoice)", sourceLocation: sourceLocation)
    #expect(
        creditSum(invoice["total_pretax_credit_amounts"]) == credited, "credits: \(invoice)",
        sourceLocation: sourceLocation)
    #expect(int64(invoice["total"]) == total, "total: \(invoice)", sourceLocation: sourceLocation)
    #expect(int64(invoice["amount_due"]) == total, "amount_due: \(invoice)", sourceLocation: sourceLocation)
    #expect(invoice["status"] as? String == status, "status: \(invoice)", sourceLocation: sourceLocation)
}

/// A grant's `balance` object: granted, applied, reinstated, expired, voided, remaining.
private func expectBalance(
    _ g: [String: Any]?, granted: Int64, applied: Int64 = 0, reinstated: Int64 = 0, expired: Int64 = 0,
    voided: Int64 = 0, remaining: Int64, sourceLocation: SourceLocation = #_sourceLocation
) {
    let b = (g?["balance"] as? [String: Any]) ?? [:]
    let got = ["granted", "applied", "reinstated", "expired", "voided", "remaining"].map { int64(b[$0]) ?? -1 }
    #expect(
        got == [granted, applied, reinstated, expired, voided, remaining],
        "\(g?["id"] ?? "?") balance [granted, applied, reinstated, expired, voided, remaining]: \(got)",
        sourceLocation: sourceLocation)
}

/// `grants list --customer C`, by ID.
private func grantsOf(
    _ db: String, _ customer: String, now: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: [String: Any]] {
    let data = try listData(["grants", "list", "--customer", customer], db, now: now, sourceLocation: sourceLocation)
    var byID: [String: [String: Any]] = [:]
    for g in data { byID[g["id"] as? String ?? "?"] = g }
    return byID
}

/// A credit balance transaction's kind (`credits_applied`, …), amount and detail object.
private struct Txn {
    var id: String
    var type: String
    var kind: String
    var amount: Int64
    var currency: String
    var grant: String
    var effectiveAt: Int64
    /// `credits_applied` / `credits_application_invoice_voided`: `{invoice, invoice_line_item}`.
    var detail: [String: Any]

    init(_ t: [String: Any]) {
        id = t["id"] as? String ?? "?"
        type = t["type"] as? String ?? "?"
        let side = (t[type] as? [String: Any]) ?? [:]
        kind = side["type"] as? String ?? "?"
        let money = (side["amount"] as? [String: Any])?["monetary"] as? [String: Any]
        amount = int64(money?["value"]) ?? -1
        currency = money?["currency"] as? String ?? "?"
        grant = t["credit_grant"] as? String ?? "?"
        effectiveAt = int64(t["effective_at"]) ?? -1
        detail = (side[kind] as? [String: Any]) ?? [:]
    }

    /// "type/kind:amount@effective_at".
    var summary: String { "\(type)/\(kind):\(amount)@\(effectiveAt)" }
}

private func transactions(
    _ db: String, _ customer: String, grant: String? = nil, now: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [Txn] {
    try listData(
        ["credit-transactions", "list", "--customer", customer] + (grant.map { ["--grant", $0] } ?? []), db, now: now,
        sourceLocation: sourceLocation
    ).map(Txn.init)
}

/// `balance --customer C [--as-of T]` → (ledger_balance, available_balance) in `currency`, checking
/// the summary's shape; a currency without an entry counts as 0.
private func creditBalance(
    _ db: String, _ customer: String, asOf: String? = nil, currency: String = "usd", now: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> [Int64] {
    let summary = try ok(
        ["balance", "--customer", customer] + (asOf.map { ["--as-of", $0] } ?? []), db: db, now: now,
        sourceLocation: sourceLocation)
    let balances = try #require(summary["balances"] as? [[String: Any]], "\(summary)", sourceLocation: sourceLocation)
    var result: [Int64] = [0, 0]
    for entry in balances {
        for (i, field) in ["ledger_balance", "available_balance"].enumerated() {
            let side = entry[field] as? [String: Any]
            #expect(side?["type"] as? String == "monetary", "\(field): \(summary)", sourceLocation: sourceLocation)
            let money = side?["monetary"] as? [String: Any]
            if money?["currency"] as? String == currency { result[i] = int64(money?["value"]) ?? -1 }
        }
    }
    return result
}

/// `balance --accounts [--as-of T]`: account → amount in usd (accounts left out are 0).
private func accounts(
    _ db: String, asOf: String? = nil, now: String, sourceLocation: SourceLocation = #_sourceLocation
) throws -> [String: Int64] {
    let data = try listData(
        ["balance", "--accounts"] + (asOf.map { ["--as-of", $0] } ?? []), db, now: now, sourceLocation: sourceLocation)
    var result: [String: Int64] = [:]
    for row in data where row["currency"] as? String == "usd" {
        result[row["account"] as? String ?? "?"] = int64(row["amount"])
    }
    #expect(result.values.reduce(0, +) == 0, "the trial balance is not zero: \(result)", sourceLocation: sourceLocation)
    return result
}

private func verify(_ db: String, now: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = run(["verify"], db: db, now: now)
    #expect(r.status == 0, "verify: exit \(r.status)\n\(r.stdout)\n\(r.stderr)", sourceLocation: sourceLocation)
    let object = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8))) as? [String: Any]
    #expect(object?["ok"] as? Bool == true, "verify: \(r.stdout)", sourceLocation: sourceLocation)
}

/// One subscription (`price_m1`, `sub_x`) for `customer`, `grants` created in order, `tokens` of
/// a_tokens in January, billed to February 1 01:00. Returns the January invoice and the grants
/// afterwards by ID.
private func burn(
    _ db: String, _ customer: String = "cus_1", grants: [(id: String, amount: Int64, extra: [String])],
    tokens: Int64, sourceLocation: SourceLocation = #_sourceLocation
) throws -> (invoice: [String: Any], grants: [String: [String: Any]]) {
    try subscribe(db, customer, ["price_m1"], id: "sub_x", sourceLocation: sourceLocation)
    for g in grants {
        // `--currency CUR` in `extra` replaces the default usd.
        var extra = g.extra
        var currency = "usd"
        if let i = extra.firstIndex(of: "--currency") {
            currency = extra[i + 1]
            extra.removeSubrange(i...(i + 1))
        }
        try grant(
            db, customer, g.amount, id: g.id, currency: currency, ["--scope", "metered"] + extra,
            sourceLocation: sourceLocation)
    }
    try usage(db, "a_tokens", customer, tokens, id: "burn-1", sourceLocation: sourceLocation)
    try bill(db, now: CT.febBill, created: 1, finalized: 1, sourceLocation: sourceLocation)
    let invoices = try invoiceList(db, ["--customer", customer], now: CT.febBill, sourceLocation: sourceLocation)
    try #require(invoices.count == 1, "\(invoices)", sourceLocation: sourceLocation)
    let inv = invoices[0]
    #expect(
        int64(path(inv, "status_transitions.finalized_at")) == at(CT.febBill), "\(inv)", sourceLocation: sourceLocation)
    let metered = try line(inv, price: "price_m1", sourceLocation: sourceLocation)
    #expect(int64(metered["amount"]) == tokens, "1 cent a token: \(metered)", sourceLocation: sourceLocation)
    #expect(
        credits(metered["pretax_credit_amounts"]) == credits(inv["total_pretax_credit_amounts"]),
        "one line: its credits are the invoice's: \(inv)", sourceLocation: sourceLocation)
    return (inv, try grantsOf(db, customer, now: CT.febBill, sourceLocation: sourceLocation))
}

@Suite("credits through the binary")
struct CreditsCLITests {
    // MARK: 1. P4: a prepaid enterprise contract

    @Test(
        "P4: 10,000,000 prepaid for 12,000,000 of credit; February's 15000 metered line paid by the grant; balance 11,985,000; expiry at 2027-01-01 exactly; breakage 9,987,500 + revenue 12,500 = 10,000,000"
    )
    func p4PrepaidContract() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)

        // The contract's invoice: 10,000,000, finalized open, then paid.
        let draft = try ok(
            [
                "invoices", "create", "--customer", "cus_1", "--currency", "usd", "--description", "Hypernian Credits",
                "--id", "in_credits",
            ], db: db)
        #expect(
            draft["status"] as? String == "draft" && draft["description"] as? String == "Hypernian Credits", "\(draft)")
        try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "10000000",
                "--invoice", "in_credits", "--description", "Hypernian Credits",
            ], db: db)
        let open = try ok(["invoices", "finalize", "in_credits"], db: db)
        #expect(open["status"] as? String == "open", "\(open)")
        #expect(int64(open["amount_due"]) == 10_000_000 && int64(open["total"]) == 10_000_000, "\(open)")
        #expect(open["number"] as? String == "INV-000001", "\(open)")
        let paid = try ok(["invoices", "pay", "in_credits"], db: db)
        #expect(paid["status"] as? String == "paid" && int64(paid["amount_paid"]) == 10_000_000, "\(paid)")

        // The grant: 12,000,000 usd paid credit for metered prices, for one year.
        let g = try grant(
            db, "cus_1", 12_000_000, id: "credgr_contract",
            [
                "--category", "paid", "--scope", "metered", "--effective-at", "2026-01-01T00:00:00Z",
                "--expires-at", "2027-01-01T00:00:00Z", "--cost-basis", "10000000", "--funding-invoice", "in_credits",
                "--name", "Enterprise contract",
            ])
        #expect(g["category"] as? String == "paid", "\(g)")
        #expect(
            canonical((g["applicability_config"] as? [String: Any])?["scope"] ?? NSNull())
                == canonical(["price_type": "metered"]), "\(g)")
        #expect(int64(g["priority"]) == 50, "default priority: \(g)")
        #expect(int64(g["effective_at"]) == at("2026-01-01T00:00:00Z"), "\(g)")
        #expect(int64(g["expires_at"]) == at("2027-01-01T00:00:00Z"), "\(g)")
        #expect(int64(g["cost_basis"]) == 10_000_000 && g["funding_invoice"] as? String == "in_credits", "\(g)")
        expectBalance(g, granted: 12_000_000, remaining: 12_000_000)

        // Hypernian Pro from January 1; 250,000 tokens in January.
        try subscribe(db, "cus_1", ["price_pro", "price_pro_usage"], id: "sub_p4")
        try usage(db, "hypernian_tokens", "cus_1", 250_000, id: "p4-jan")
        try bill(db, now: CT.febBill, created: 1, finalized: 1)

        let invoices = try listData(["invoices", "list", "--subscription", "sub_p4"], db, now: CT.feb2)
        try #require(invoices.count == 2, "the creation invoice and February's: \(invoices)")
        expectTotals(invoices[0], subtotal: 20000, credited: 0, status: "open")
        #expect(credits(invoices[0]["total_pretax_credit_amounts"]).isEmpty, "a licence in advance takes no credit")
        let feb = invoices[1]
        let febID = try #require(feb["id"] as? String)
        #expect(feb["number"] as? String == "INV-000003", "\(feb)")
        #expect(int64(feb["period_start"]) == at(CT.jan1) && int64(feb["period_end"]) == at(CT.feb1), "\(feb)")
        expectTotals(feb, subtotal: 35000, credited: 15000, status: "open")
        #expect(int64(feb["amount_remaining"]) == 20000, "\(feb)")
        try #require(lines(feb).count == 2, "\(feb)")
        let metered = try line(feb, price: "price_pro_usage")
        let meteredID = try #require(metered["id"] as? String)
        #expect(int64(metered["amount"]) == 15000 && metered["quantity_decimal"] as? String == "250000", "\(metered)")
        let licence = try line(feb, price: "price_pro")
        #expect(int64(licence["amount"]) == 20000, "\(licence)")
        #expect(
            (licence["pretax_credit_amounts"] as? [Any])?.isEmpty == true,
            "licensed lines are never paid by credit: \(licence)")
        let applied = try #require(metered["pretax_credit_amounts"] as? [[String: Any]], "\(metered)")
        try #require(applied.count == 1, "\(metered)")
        #expect(int64(applied[0]["amount"]) == 15000, "\(applied)")
        #expect(applied[0]["type"] as? String == "credit_balance_transaction", "\(applied)")
        #expect(applied[0]["credit_grant"] as? String == "credgr_contract", "\(applied)")
        let txnID = try #require(applied[0]["credit_balance_transaction"] as? String, "\(applied)")
        #expect(txnID.hasPrefix("cbtxn_"), "\(txnID)")
        let total = try #require(feb["total_pretax_credit_amounts"] as? [[String: Any]])
        #expect(total.compactMap { $0["credit_balance_transaction"] as? String } == [txnID], "\(total)")

        // One credits_applied of 15000 naming the grant, the invoice and its metered line.
        let txns = try transactions(db, "cus_1", now: CT.feb2)
        #expect(
            txns.map(\.summary) == [
                "credit/credits_granted:12000000@\(at(CT.jan1))", "debit/credits_applied:15000@\(at(CT.febBill))",
            ], "\(txns.map(\.summary))")
        let debit = try #require(txns.first { $0.kind == "credits_applied" })
        #expect(debit.id == txnID && debit.grant == "credgr_contract" && debit.currency == "usd", "\(debit)")
        #expect(debit.detail["invoice"] as? String == febID, "\(debit.detail)")
        #expect(debit.detail["invoice_line_item"] as? String == meteredID, "\(debit.detail)")

        #expect(try creditBalance(db, "cus_1", now: CT.feb2) == [11_985_000, 11_985_000], "ledger and available")

        // The prepaid contract reconciles.
        let rec = try ok(["reconcile", "--customer", "cus_1"], db: db, now: CT.feb2)
        let contract = try #require((rec["contracts"] as? [[String: Any]])?.first, "\(rec)")
        #expect(contract["funding_invoice"] as? String == "in_credits", "\(contract)")
        #expect(
            ["committed", "paid", "granted", "applied", "remaining", "recognized_revenue_at_cost"].map {
                int64(contract[$0]) ?? -1
            } == [10_000_000, 10_000_000, 12_000_000, 15000, 11_985_000, 12500], "\(contract)")
        #expect(
            (contract["differences"] as? [String: Any])?.values.allSatisfy { int64($0) == 0 } == true, "\(contract)")
        #expect(rec["ok"] as? Bool == true, "\(rec)")

        // A year later, with no more usage: the rest expires at 2027-01-01T00:00:00Z exactly.
        let expiry = "2027-01-01T00:00:00Z"
        try bill(db, now: expiry, created: 11, finalized: 10)
        let after = try transactions(db, "cus_1", grant: "credgr_contract", now: expiry)
        #expect(
            after.map(\.summary) == [
                "credit/credits_granted:12000000@\(at(CT.jan1))", "debit/credits_applied:15000@\(at(CT.febBill))",
                "debit/credits_expired:11985000@\(at(expiry))",
            ], "\(after.map(\.summary))")
        #expect(
            try creditBalance(db, "cus_1", asOf: "2026-12-31T23:59:59Z", now: expiry) == [11_985_000, 11_985_000],
            "one second before expiry")
        #expect(try creditBalance(db, "cus_1", asOf: expiry, now: expiry) == [0, 0], "at the expiry instant")
        expectBalance(
            try ok(["grants", "show", "credgr_contract"], db: db, now: expiry), granted: 12_000_000, applied: 15000,
            expired: 11_985_000, remaining: 0)

        // The journal: revenue at cost 12,500 (15,000 usage less a 2,500 discount) + breakage 9,987,500.
        let before = try accounts(db, asOf: "2026-12-31T23:59:59Z", now: expiry)
        #expect(before["liabilities:prepayments:credgr_contract"] == -9_987_500, "\(before)")
        #expect(before["revenue:breakage:credgr_contract"] == nil, "no breakage before expiry: \(before)")
        let books = try accounts(db, asOf: expiry, now: expiry)
        let breakage = books["revenue:breakage:credgr_contract"] ?? 0
        let discounts = books["revenue:credit_discounts:credgr_contract"] ?? 0
        let usageRevenue = books["revenue:usage:price_pro_usage"] ?? 0
        #expect(breakage == -9_987_500, "\(books)")
        #expect(books["liabilities:prepayments:credgr_contract"] ?? 0 == 0, "\(books)")
        #expect(discounts == 2500, "\(books)")
        #expect(usageRevenue == -15000, "\(books)")
        #expect(
            -(usageRevenue + discounts) == 12500 && -(usageRevenue + discounts + breakage) == 10_000_000, "\(books)")

        let closed = try ok(["reconcile", "--customer", "cus_1"], db: db, now: expiry)
        let c = try #require((closed["contracts"] as? [[String: Any]])?.first, "\(closed)")
        #expect(
            ["applied", "expired", "remaining", "recognized_revenue_at_cost", "breakage_at_cost"].map {
                int64(c[$0]) ?? -1
            } == [15000, 11_985_000, 0, 12500, 9_987_500], "\(c)")
        #expect(closed["ok"] as? Bool == true, "\(closed)")
        try verify(db, now: expiry)
    }

    // MARK: 2. Burn order

    /// The burn order itself (priority, expiry, category, effective date, creation order) is the
    /// planner's, tested in LedgerCoreTests' BurndownPlannerTests with the figures these tests had;
    /// here every flag that sets a key of it goes through the binary and reaches the order.
    @Test(
        "order: --priority, --expires-at, --category and --effective-at each move a grant ahead of those created before it"
    )
    func orderFlags() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let (inv, g) = try burn(
            db,
            grants: [
                ("credgr_later", 100, ["--effective-at", "2026-01-10T00:00:00Z"]), ("credgr_base", 100, []),
                ("credgr_promo", 100, ["--category", "promotional"]),
                ("credgr_expiring", 100, ["--expires-at", "2026-06-01T00:00:00Z"]),
                ("credgr_first", 100, ["--priority", "0"]),
            ], tokens: 450)
        #expect(
            credits(inv["total_pretax_credit_amounts"]) == [
                "credgr_first:100", "credgr_expiring:100", "credgr_promo:100", "credgr_base:100", "credgr_later:50",
            ], "\(inv)")
        expectTotals(inv, subtotal: 450, credited: 450, status: "paid")
        for id in ["credgr_first", "credgr_expiring", "credgr_promo", "credgr_base"] {
            expectBalance(g[id], granted: 100, applied: 100, remaining: 0)
        }
        expectBalance(g["credgr_later"], granted: 100, applied: 50, remaining: 50)
        #expect(int64(g["credgr_later"]?["effective_at"]) == at("2026-01-10T00:00:00Z"))
        #expect(int64(g["credgr_first"]?["priority"]) == 0, "\(g["credgr_first"] ?? [:])")
        #expect(g["credgr_promo"]?["category"] as? String == "promotional", "\(g["credgr_promo"] ?? [:])")
        #expect(int64(g["credgr_expiring"]?["expires_at"]) == at("2026-06-01T00:00:00Z"))
    }

    @Test("scope: a grant scoped to price_m2 pays only price_m2's line; the metered-wide grant pays price_m1's")
    func scopeToOnePrice() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_m1", "price_m2"], id: "sub_two")
        // Same everything but the scope; the scoped grant is created first, so it precedes.
        let scoped = try grant(db, "cus_1", 1000, id: "credgr_m2", ["--scope-price", "price_m2"])
        #expect(
            canonical((scoped["applicability_config"] as? [String: Any])?["scope"] ?? NSNull())
                == canonical(["prices": [["id": "price_m2"]]]), "\(scoped)")
        try grant(db, "cus_1", 1000, id: "credgr_all")
        try usage(db, "a_tokens", "cus_1", 400, id: "s-a")
        try usage(db, "b_tokens", "cus_1", 300, id: "s-b")
        try bill(db, now: CT.febBill, created: 1, finalized: 1)
        let invoices = try invoiceList(db, ["--customer", "cus_1"], now: CT.febBill)
        try #require(invoices.count == 1, "\(invoices)")
        let inv = invoices[0]
        let m1 = try line(inv, price: "price_m1")
        let m2 = try line(inv, price: "price_m2")
        #expect(int64(m1["amount"]) == 400 && int64(m2["amount"]) == 300, "\(inv)")
        #expect(credits(m1["pretax_credit_amounts"]) == ["credgr_all:400"], "\(m1)")
        #expect(credits(m2["pretax_credit_amounts"]) == ["credgr_m2:300"], "\(m2)")
        expectTotals(inv, subtotal: 700, credited: 700, status: "paid")
        let g = try grantsOf(db, "cus_1", now: CT.febBill)
        expectBalance(g["credgr_m2"], granted: 1000, applied: 300, remaining: 700)
        expectBalance(g["credgr_all"], granted: 1000, applied: 400, remaining: 600)
    }

    @Test("currency: an eur grant never pays a usd invoice, even at priority 0")
    func otherCurrency() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let (inv, g) = try burn(
            db,
            grants: [("credgr_eur", 1000, ["--priority", "0", "--currency", "eur"]), ("credgr_usd", 200, [])],
            tokens: 500)
        #expect(credits(inv["total_pretax_credit_amounts"]) == ["credgr_usd:200"], "\(inv)")
        expectTotals(inv, subtotal: 500, credited: 200, status: "open")
        expectBalance(g["credgr_eur"], granted: 1000, remaining: 1000)
        expectBalance(g["credgr_usd"], granted: 200, applied: 200, remaining: 0)
        #expect(
            ((g["credgr_eur"]?["amount"] as? [String: Any])?["monetary"] as? [String: Any])?["currency"] as? String
                == "eur")
    }

    @Test(
        "eligibility: a grant effective after the period end (Feb 1 00:30, before finalization) is not used; one effective exactly at the period end is"
    )
    func notYetEffective() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let (inv, g) = try burn(
            db,
            grants: [
                ("credgr_late", 1000, ["--priority", "0", "--effective-at", "2026-02-01T00:30:00Z"]),
                ("credgr_edge", 200, ["--effective-at", CT.feb1]),
            ], tokens: 500)
        #expect(credits(inv["total_pretax_credit_amounts"]) == ["credgr_edge:200"], "\(inv)")
        expectTotals(inv, subtotal: 500, credited: 200, status: "open")
        expectBalance(g["credgr_late"], granted: 1000, remaining: 1000)
        expectBalance(g["credgr_edge"], granted: 200, applied: 200, remaining: 0)
    }

    @Test(
        "eligibility: a grant expiring between the period end and finalization (00:30) is not used and expires at 00:30; one expiring at the period end is not used"
    )
    func expiresBeforeFinalization() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let (inv, g) = try burn(
            db,
            grants: [
                ("credgr_0030", 1000, ["--priority", "0", "--expires-at", "2026-02-01T00:30:00Z"]),
                ("credgr_0000", 1000, ["--priority", "0", "--expires-at", CT.feb1]),
                ("credgr_keep", 100, []),
            ], tokens: 500)
        #expect(credits(inv["total_pretax_credit_amounts"]) == ["credgr_keep:100"], "\(inv)")
        expectTotals(inv, subtotal: 500, credited: 100, status: "open")
        expectBalance(g["credgr_0030"], granted: 1000, expired: 1000, remaining: 0)
        expectBalance(g["credgr_0000"], granted: 1000, expired: 1000, remaining: 0)
        expectBalance(g["credgr_keep"], granted: 100, applied: 100, remaining: 0)
        let txns = try transactions(db, "cus_1", grant: "credgr_0030", now: CT.febBill)
        #expect(
            txns.map(\.summary) == [
                "credit/credits_granted:1000@\(at(CT.jan1))",
                "debit/credits_expired:1000@\(at("2026-02-01T00:30:00Z"))",
            ], "\(txns.map(\.summary))")
    }

    // MARK: 3. Voiding an invoice that used credits

    @Test(
        "void: credits return to their grant (credits_application_invoice_voided); to a grant expired by then they expire again at once"
    )
    func voidReinstates() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        // Licence + metered, so that the February invoice stays open after its credits.
        try subscribe(db, "cus_1", ["price_pro", "price_m1"], id: "sub_v1")
        try subscribe(db, "cus_2", ["price_pro", "price_m1"], id: "sub_v2")
        try grant(db, "cus_1", 1000, id: "credgr_v1")
        try grant(db, "cus_2", 1000, id: "credgr_v2", ["--scope", "metered", "--expires-at", "2026-02-10T00:00:00Z"])
        try usage(db, "a_tokens", "cus_1", 600, id: "v-1")
        try usage(db, "a_tokens", "cus_2", 600, id: "v-2")
        try bill(db, now: CT.febBill, created: 2, finalized: 2)
        let all = try listData(["invoices", "list", "--status", "open"], db, now: CT.febBill)
        let cycle = all.filter { $0["billing_reason"] as? String == "subscription_cycle" }
        try #require(cycle.count == 2, "\(all)")
        let inv1 = try #require(cycle.first { $0["customer"] as? String == "cus_1" })
        let inv2 = try #require(cycle.first { $0["customer"] as? String == "cus_2" })
        for inv in [inv1, inv2] {
            expectTotals(inv, subtotal: 20600, credited: 600, status: "open")
        }
        let inv1ID = try #require(inv1["id"] as? String)
        let line1ID = try #require(try line(inv1, price: "price_m1")["id"] as? String)

        // Void while the grant is live: 600 comes back, remaining 400 → 1000.
        let voided = try ok(["invoices", "void", inv1ID], db: db, now: CT.feb2)
        #expect(voided["status"] as? String == "void", "\(voided)")
        expectBalance(
            try ok(["grants", "show", "credgr_v1"], db: db, now: CT.feb2), granted: 1000, applied: 600,
            reinstated: 600, remaining: 1000)
        let t1 = try transactions(db, "cus_1", now: CT.feb2)
        #expect(
            t1.map(\.summary) == [
                "credit/credits_granted:1000@\(at(CT.jan1))", "debit/credits_applied:600@\(at(CT.febBill))",
                "credit/credits_application_invoice_voided:600@\(at(CT.feb2))",
            ], "\(t1.map(\.summary))")
        let back = try #require(t1.last)
        #expect(back.grant == "credgr_v1", "\(back)")
        #expect(back.detail["invoice"] as? String == inv1ID, "\(back.detail)")
        #expect(back.detail["invoice_line_item"] as? String == line1ID, "\(back.detail)")
        #expect(try creditBalance(db, "cus_1", now: CT.feb2) == [1000, 1000])

        // The other grant expires on Feb 10 (its 400 left); the void on Feb 15 returns 600,
        // which expires again at once.
        let feb15 = "2026-02-15T00:00:00Z"
        try bill(db, now: feb15, created: 0, finalized: 0)
        let inv2ID = try #require(inv2["id"] as? String)
        let voided2 = try ok(["invoices", "void", inv2ID], db: db, now: feb15)
        #expect(voided2["status"] as? String == "void", "\(voided2)")
        expectBalance(
            try ok(["grants", "show", "credgr_v2"], db: db, now: feb15), granted: 1000, applied: 600, reinstated: 600,
            expired: 1000, remaining: 0)
        let t2 = try transactions(db, "cus_2", now: feb15)
        #expect(
            t2.map(\.summary) == [
                "credit/credits_granted:1000@\(at(CT.jan1))", "debit/credits_applied:600@\(at(CT.febBill))",
                "debit/credits_expired:400@\(at("2026-02-10T00:00:00Z"))",
                "credit/credits_application_invoice_voided:600@\(at(feb15))", "debit/credits_expired:600@\(at(feb15))",
            ], "\(t2.map(\.summary))")
        #expect(try creditBalance(db, "cus_2", now: feb15) == [0, 0])
        try verify(db, now: feb15)
    }

    // MARK: 4. Promotional grants

    @Test(
        "promotional: applied 300, the rest expired by `grants expire`; liabilities:credits 0 and expenses:promotional_credits 300"
    )
    func promotional() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let (inv, g) = try burn(db, grants: [("credgr_promo", 1000, ["--category", "promotional"])], tokens: 300)
        #expect(credits(inv["total_pretax_credit_amounts"]) == ["credgr_promo:300"], "\(inv)")
        expectTotals(inv, subtotal: 300, credited: 300, status: "paid")
        expectBalance(g["credgr_promo"], granted: 1000, applied: 300, remaining: 700)

        let before = try accounts(db, now: CT.feb2)
        #expect(before["liabilities:credits:credgr_promo"] == -700, "\(before)")
        #expect(before["expenses:promotional_credits"] == 1000, "\(before)")

        let feb5 = "2026-02-05T00:00:00Z"
        let expired = try ok(["grants", "expire", "credgr_promo"], db: db, now: feb5)
        expectBalance(expired, granted: 1000, applied: 300, expired: 700, remaining: 0)
        let txns = try transactions(db, "cus_1", grant: "credgr_promo", now: feb5)
        #expect(txns.last?.summary == "debit/credits_expired:700@\(at(feb5))", "\(txns.map(\.summary))")
        let books = try accounts(db, now: feb5)
        #expect(books["liabilities:credits:credgr_promo"] ?? 0 == 0, "\(books)")
        #expect(books["expenses:promotional_credits"] == 300, "\(books)")
        #expect(books["revenue:usage:price_m1"] == -300, "\(books)")
        #expect(try creditBalance(db, "cus_1", now: feb5) == [0, 0])
        try verify(db, now: feb5)
    }

    // MARK: 5. Bad input

    @Test(
        "grants create/void/update refused, file unchanged: zero and negative amounts, scopes, licensed price, priority, dates, applied grant, unknown options, customer, currency, cost basis on promotional, draft funding invoice"
    )
    func rejections() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let base = ["grants", "create", "--customer", "cus_1", "--currency", "usd"]
        let metered = ["--scope", "metered"]
        try rejected(base + ["--amount", "0"] + metered, db: db, codes: [65], code: "invalid_amount")
        try rejected(base + ["--amount=-5"] + metered, db: db, codes: [65], code: "invalid_amount")
        try rejected(
            base + ["--amount", "100", "--scope", "metered", "--scope-price", "price_m1"], db: db, codes: [65])
        try rejected(base + ["--amount", "100"], db: db, codes: [65])
        try rejected(base + ["--amount", "100", "--scope-price", "price_pro"], db: db, codes: [65])
        try rejected(base + ["--amount", "100", "--scope-price", "price_eur_m"], db: db, codes: [65])
        try rejected(base + ["--amount", "100", "--priority", "101"] + metered, db: db, codes: [65])
        try rejected(base + ["--amount", "100", "--priority=-1"] + metered, db: db, codes: [65])
        try rejected(
            base + [
                "--amount", "100", "--effective-at", "2026-03-01T00:00:00Z", "--expires-at", "2026-02-01T00:00:00Z",
            ]
                + metered, db: db, codes: [65])
        try rejected(
            base + [
                "--amount", "100", "--effective-at", "2026-03-01T00:00:00Z", "--expires-at", "2026-03-01T00:00:00Z",
            ]
                + metered, db: db, codes: [65])
        try rejected(
            ["grants", "create", "--customer", "cus_missing", "--currency", "usd", "--amount", "100"] + metered, db: db,
            codes: [65], code: "resource_missing")
        try rejected(
            ["grants", "create", "--customer", "cus_1", "--currency", "xyz", "--amount", "100"] + metered, db: db,
            codes: [65], code: "invalid_currency")
        try rejected(
            base + ["--amount", "100", "--category", "promotional", "--cost-basis", "50"] + metered, db: db, codes: [65]
        )
        try ok(["invoices", "create", "--customer", "cus_1", "--currency", "usd", "--id", "in_draft"], db: db)
        try rejected(base + ["--amount", "100", "--funding-invoice", "in_draft"] + metered, db: db, codes: [65])

        // A grant applied to an invoice cannot be voided; amount and priority never change.
        try subscribe(db, "cus_1", ["price_m1"], id: "sub_r")
        try grant(db, "cus_1", 1000, id: "credgr_used")
        try usage(db, "a_tokens", "cus_1", 100, id: "r-1")
        try bill(db, now: CT.febBill, created: 1, finalized: 1)
        try rejected(
            ["grants", "void", "credgr_used"], db: db, codes: [65], code: "grant_already_applied", now: CT.feb2)
        try rejected(["grants", "update", "credgr_used", "--amount", "5"], db: db, codes: [64], now: CT.feb2)
        try rejected(["grants", "update", "credgr_used", "--priority", "1"], db: db, codes: [64], now: CT.feb2)
        expectBalance(
            try ok(["grants", "show", "credgr_used"], db: db, now: CT.feb2), granted: 1000, applied: 100, remaining: 900
        )
    }

    @Test("at most 100 unused grants per customer: the 101st is refused, another customer's first is not")
    func hundredUnusedGrants() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        for i in 1...100 {
            let r = run(
                [
                    "grants", "create", "--customer", "cus_3", "--amount", "1", "--currency", "usd", "--scope",
                    "metered",
                    "--id", "credgr_n\(i)",
                ], db: db)
            try #require(r.status == 0, "grant \(i): exit \(r.status): \(r.stderr)")
        }
        try rejected(
            ["grants", "create", "--customer", "cus_3", "--amount", "1", "--currency", "usd", "--scope", "metered"],
            db: db, codes: [65], code: "grants_limit_reached")
        try grant(db, "cus_2", 1, id: "credgr_other")
    }

    // MARK: 6. Concurrent finalization

    @Test(
        "two bill processes finalizing two invoices at once: 1000 of credit is applied once (800 + 200), remaining 0, verify 0"
    )
    func concurrentFinalization() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_m1"], id: "sub_c1")
        try subscribe(db, "cus_1", ["price_m2"], id: "sub_c2")
        try grant(db, "cus_1", 1000, id: "credgr_shared")
        try usage(db, "a_tokens", "cus_1", 800, id: "c-a")
        try usage(db, "b_tokens", "cus_1", 800, id: "c-b")

        let a = try LedgerProcess(sb, "a", db: db, now: CT.febBill, arguments: ["bill"])
        let b = try LedgerProcess(sb, "b", db: db, now: CT.febBill, arguments: ["bill"])
        try a.process.run()
        try b.process.run()
        a.process.waitUntilExit()
        b.process.waitUntilExit()
        #expect(a.process.terminationStatus == 0, "bill A: exit \(a.process.terminationStatus): \(a.stderr)")
        #expect(b.process.terminationStatus == 0, "bill B: exit \(b.process.terminationStatus): \(b.stderr)")
        let (ra, rb) = (a.report, b.report)
        #expect((int64(ra["invoices_created"]) ?? 0) + (int64(rb["invoices_created"]) ?? 0) == 2, "A: \(ra)\nB: \(rb)")
        #expect(
            (int64(ra["invoices_finalized"]) ?? 0) + (int64(rb["invoices_finalized"]) ?? 0) == 2, "A: \(ra)\nB: \(rb)")

        let invoices = try invoiceList(db, ["--customer", "cus_1"], now: CT.febBill)
        try #require(invoices.count == 2, "\(invoices)")
        #expect(invoices.map { creditSum($0["total_pretax_credit_amounts"]) }.sorted() == [200, 800], "\(invoices)")
        #expect(invoices.map { int64($0["subtotal"]) ?? -1 } == [800, 800], "\(invoices)")
        #expect(invoices.map { int64($0["total"]) ?? -1 }.sorted() == [0, 600], "\(invoices)")
        #expect(invoices.compactMap { $0["status"] as? String }.sorted() == ["open", "paid"], "\(invoices)")
        #expect(Set(invoices.compactMap { $0["number"] as? String }) == ["INV-000001", "INV-000002"], "\(invoices)")

        expectBalance(
            try ok(["grants", "show", "credgr_shared"], db: db, now: CT.febBill), granted: 1000, applied: 1000,
            remaining: 0)
        let applied = try transactions(db, "cus_1", now: CT.febBill).filter { $0.kind == "credits_applied" }
        #expect(applied.map(\.amount).sorted() == [200, 800], "\(applied.map(\.summary))")
        #expect(
            Set(applied.compactMap { $0.detail["invoice"] as? String })
                == Set(invoices.compactMap { $0["id"] as? String }),
            "one application per invoice: \(applied.map(\.detail))")
        try verify(db, now: CT.febBill)
    }
}
