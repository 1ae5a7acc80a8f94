import Foundation
import Testing

/// Human output (no `--json`) through the binary: every amount in major units with thousands
/// separators and the lowercase currency code (`120,000.00 usd`, `12,000.000 kwd`, `500 jpy`,
/// `-150.00 usd`), never a bare count of minor units; and the credits applied to an invoice under
/// their lines. `--json` keeps Stripe's minor units, checked beside each human figure.

/// The instants of the fixture's story.
private enum HT {
    static let jan1 = "2026-01-01T00:00:00Z"
    static let jan15 = "2026-01-15T00:00:00Z"
    /// One hour after the February boundary: January's invoice finalizes then.
    static let febBill = "2026-02-01T01:00:00Z"
    static let feb2 = "2026-02-02T00:00:00Z"
}

/// A ledger built once through the binary and copied into each test's sandbox: customer `cus_1`;
/// meter `mtr_t` (event `tokens`); product `prod_t` ("Tokens"); prices
/// - `price_pkg`: usd, metered monthly on `mtr_t`, unit_amount_decimal 4 per 100 tokens rounded up;
/// - `price_tenth`: usd one-time, unit_amount_decimal 0.1 (a tenth of a cent);
/// - `price_tiers`: usd one-time, graduated: up to 1000 at 0, then 0.1 a unit plus a flat 1000;
///
/// subscription `sub_1` (cus_1 on price_pkg, from 2026-01-01); paid grant `credgr_1` of
/// 12,000,000 minor usd on every metered price; 375,000 tokens on 2026-01-15 (150.00 usd, all
/// paid by the grant); the billing run to 2026-02-01T01:00:00Z.
private enum HumanFixture {
    static let ledger = CLIFixture(
        "the human output fixture",
        timed: ([CatalogStep.customer("cus_1", "Enterprise")] + CatalogStep.tokens).map { (HT.jan1, $0) } + [
            (
                HT.jan1,
                CatalogStep.price(
                    "price_tiers", product: "prod_t",
                    [
                        "--tiers-mode", "graduated", "--tier", "up_to=1000,unit_amount_decimal=0",
                        "--tier", "up_to=inf,unit_amount_decimal=0.1,flat_amount=1000",
                    ])
            ),
            (HT.jan1, ["subscriptions", "create", "--id", "sub_1", "--customer", "cus_1", "--item", "price_pkg"]),
            (
                HT.jan1,
                [
                    "grants", "create", "--id", "credgr_1", "--customer", "cus_1", "--amount", "12000000",
                    "--currency", "usd", "--scope", "metered",
                ]
            ),
            (HT.jan15, recordArgs("tokens", customer: "cus_1", value: "375000", id: "e-1")),
            (HT.febBill, ["bill"]),
        ])
}

/// Runs without `--json`, requires exit 0, and returns stdout.
private func human(
    _ args: [String], db: String, now: String = HT.feb2, sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
    let r = run(args, db: db, now: now, json: false)
    try #require(
        r.status == 0, "ledger \(args.joined(separator: " ")) → exit \(r.status): \(r.stderr)",
        sourceLocation: sourceLocation)
    return r.stdout
}

@Suite struct HumanOutputTests {
    // MARK: Invoices

    @Test("invoices show prints each applied credit under its line, the credit total, and major units")
    func invoiceShowWithCredit() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let list = try ok(["invoices", "list", "--customer", "cus_1"], db: db, now: HT.feb2)
        let invoice = try #require((list["data"] as? [[String: Any]])?.first, "\(canonical(list))")
        let id = try #require(invoice["id"] as? String)
        let line = try #require(((invoice["lines"] as? [String: Any])?["data"] as? [[String: Any]])?.first)
        let credit = try #require((line["pretax_credit_amounts"] as? [[String: Any]])?.first)
        let transaction = try #require(credit["credit_balance_transaction"] as? String)
        // JSON keeps Stripe's minor units.
        #expect(int64(line["amount"]) == 15_000)
        #expect(int64(credit["amount"]) == 15_000)
        #expect(int64(invoice["total"]) == 0)

        let text = try human(["invoices", "show", id], db: db)
        let rows = humanRows(text)
        let lineRow = try #require(
            rows.firstIndex(of: ["Tokens (usage)", "375000", "2026-01-01 → 2026-02-01", "150.00 usd"]), "\(text)")
        #expect(rows[lineRow + 1] == ["credit from credgr_1 (\(transaction))", "-150.00 usd"], "\(text)")
        #expect(humanField("subtotal", in: text) == "150.00 usd", "\(text)")
        #expect(humanField("credits", in: text) == "-150.00 usd", "\(text)")
        #expect(humanField("total", in: text) == "0.00 usd", "\(text)")
        #expect(humanField("amount due", in: text) == "0.00 usd", "\(text)")
        #expect(humanField("amount paid", in: text) == "0.00 usd", "\(text)")
        #expect(humanField("amount remaining", in: text) == "0.00 usd", "\(text)")
        #expect(!text.contains("15000"), "no bare minor units: \(text)")

        let listed = humanRows(try human(["invoices", "list"], db: db))
        #expect(listed.dropFirst().first?.suffix(2) == ["0.00 usd", "0.00 usd"], "TOTAL and DUE: \(listed)")
    }

    @Test("an invoice without credits has no credits line; a kwd invoice keeps three decimals, grouped")
    func invoiceWithoutCreditInKWD() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_k", "--name", "Kuwait"], db: sb.db)
        try ok(
            ["invoice-items", "create", "--customer", "cus_k", "--currency", "kwd", "--amount", "12000000"], db: sb.db)
        let created = try ok(
            [
                "invoices", "create", "--customer", "cus_k", "--pending-items", "include", "--id", "in_k",
            ], db: sb.db)
        #expect(int64(created["subtotal"]) == 12_000_000)
        let text = try human(["invoices", "show", "in_k"], db: sb.db, now: defaultNow)
        #expect(humanField("subtotal", in: text) == "12,000.000 kwd", "\(text)")
        #expect(humanField("total", in: text) == "12,000.000 kwd", "\(text)")
        #expect(humanField("credits", in: text) == nil, "\(text)")
        #expect(humanRows(text).contains(["1", "2026-01-01 → 2026-01-01", "12,000.000 kwd"]), "the line: \(text)")
        #expect(humanField("amount paid", in: text) == "0.000 kwd", "\(text)")
    }

    // MARK: Counts

    @Test("bill counts in words: one invoice and one subscription in the singular, none in the plural")
    func billCountsAreSingularForOne() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        try ok(["subscriptions", "cancel", "sub_1", "--at-period-end"], db: db, now: HT.feb2)
        // sub_1's February period closes at March 1 and the subscription ends there; its invoice
        // is the run's only one.
        let march = try human(["bill"], db: db, now: "2026-03-01T01:00:00Z")
        #expect(
            march.split(separator: "\n").first == "1 invoice created, 1 finalized, 1 subscription ended, 0 failed",
            "\(march)")
        let again = try human(["bill"], db: db, now: "2026-03-02T00:00:00Z")
        #expect(
            again.split(separator: "\n").first == "0 invoices created, 0 finalized, 0 subscriptions ended, 0 failed",
            "\(again)")
    }

    // MARK: Invoice items

    @Test("invoice items print their amount and exact unit amount in major units: kwd, jpy, usd")
    func invoiceItems() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "Items"], db: sb.db)
        let item = ["invoice-items", "create", "--customer", "cus_1", "--currency"]
        let kwd = try human(item + ["kwd", "--amount", "12000000", "--id", "ii_kwd"], db: sb.db, now: defaultNow)
        #expect(humanField("amount", in: kwd) == "12,000.000 kwd", "\(kwd)")
        let jpy = try human(item + ["jpy", "--amount", "500", "--id", "ii_jpy"], db: sb.db, now: defaultNow)
        #expect(humanField("amount", in: jpy) == "500 jpy", "\(jpy)")
        let usd = try human(
            item + ["usd", "--unit-amount-decimal", "0.5", "--quantity", "3", "--id", "ii_usd"], db: sb.db,
            now: defaultNow)
        #expect(humanField("amount", in: usd) == "0.02 usd", "0.5 cent × 3 = 1.5 → 2 cents: \(usd)")
        #expect(humanField("unit amount", in: usd) == "0.005 usd / unit", "\(usd)")

        let rows = humanRows(try human(["invoice-items", "list"], db: sb.db, now: defaultNow))
        #expect(rows.contains(["ii_kwd", "cus_1", "12,000.000 kwd", "(pending)"]), "\(rows)")
        #expect(rows.contains(["ii_jpy", "cus_1", "500 jpy", "(pending)"]), "\(rows)")
        #expect(rows.contains(["ii_usd", "cus_1", "0.02 usd", "(pending)"]), "\(rows)")
        let json = try ok(["invoice-items", "list"], db: sb.db)
        #expect(
            (json["data"] as? [[String: Any]])?.compactMap { int64($0["amount"]) } == [12_000_000, 500, 2],
            "JSON keeps minor units")
    }

    // MARK: Grants, credit transactions, balances

    @Test("grants show and list print the face value, cost basis and balance in major units")
    func grants() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let text = try human(["grants", "show", "credgr_1"], db: db)
        #expect(humanField("amount", in: text) == "120,000.00 usd", "\(text)")
        #expect(humanField("granted", in: text) == "120,000.00 usd", "\(text)")
        #expect(humanField("applied", in: text) == "150.00 usd", "\(text)")
        #expect(humanField("remaining", in: text) == "119,850.00 usd", "\(text)")
        #expect(humanField("expired", in: text) == "0.00 usd", "\(text)")
        let rows = humanRows(try human(["grants", "list"], db: db))
        #expect(
            rows.contains([
                "credgr_1", "cus_1", "paid", "50", "120,000.00 usd", "119,850.00 usd", "2026-01-01T00:00:00Z", "never",
            ]), "\(rows)")
        let json = try ok(["grants", "show", "credgr_1"], db: db, now: HT.feb2)
        let monetary = (json["amount"] as? [String: Any])?["monetary"] as? [String: Any]
        #expect(int64(monetary?["value"]) == 12_000_000, "JSON keeps minor units: \(canonical(json))")

        // A cost basis, and a currency without minor unit.
        let jpy = try human(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "500", "--currency", "jpy", "--scope",
                "metered", "--cost-basis", "450",
            ], db: db)
        #expect(humanField("amount", in: jpy) == "500 jpy", "\(jpy)")
        #expect(humanField("cost basis", in: jpy) == "450 jpy", "\(jpy)")
    }

    @Test("credit transactions and balances print major units; journal balances keep their sign")
    func creditTransactionsAndBalances() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let transactions = humanRows(try human(["credit-transactions", "list", "--customer", "cus_1"], db: db))
        #expect(
            transactions.contains { $0.contains("credits_granted") && $0.contains("120,000.00 usd") }, "\(transactions)"
        )
        #expect(
            transactions.contains { $0.contains("credits_applied") && $0.contains("150.00 usd") }, "\(transactions)")

        let balance = humanRows(try human(["balance", "--customer", "cus_1"], db: db))
        #expect(balance.first == ["CURRENCY", "LEDGER BALANCE", "AVAILABLE BALANCE", "RECEIVABLE"], "\(balance)")
        #expect(balance.contains(["usd", "119,850.00 usd", "119,850.00 usd", "0.00 usd"]), "\(balance)")

        let accounts = humanRows(try human(["balance", "--accounts", "--flat"], db: db))
        #expect(accounts.contains(["120,000.00 usd", "assets:cash"]), "\(accounts)")
        #expect(accounts.contains(["-119,850.00 usd", "liabilities:prepayments:credgr_1"]), "\(accounts)")
        #expect(accounts.contains(["-150.00 usd", "revenue:usage:price_pkg"]), "\(accounts)")
    }

    @Test("balance --accounts prints hledger's tree: subtotals at each level, a total per currency, --depth")
    func accountTree() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let tree = try human(["balance", "--accounts"], db: db)
        // Each root holds one chain of accounts, so hledger's elision joins each into one line.
        #expect(
            tree == """
                      120,000.00 usd  assets:cash
                     -119,850.00 usd  liabilities:prepayments:credgr_1
                         -150.00 usd  revenue:usage:price_pkg
                --------------------
                            0.00 usd

                """, "\(tree)")
        let top = try human(["balance", "--accounts", "--depth", "1", "--as-of", "2026-01-01"], db: db)
        #expect(
            top == """
                      120,000.00 usd  assets
                     -120,000.00 usd  liabilities
                --------------------
                            0.00 usd

                """, "\(top)")
        let json = try ok(["balance", "--accounts", "--depth", "1"], db: db, now: HT.feb2)
        let rows = (json["data"] as? [[String: Any]]) ?? []
        #expect(
            rows.map { "\($0["account"]!) \($0["currency"]!) \($0["amount"]!)" } == [
                "assets usd 12000000", "liabilities usd -11985000", "revenue usd -15000",
            ])
        // Bad shapes are refused with the file unchanged (`rejected` compares its bytes).
        try rejected(["balance", "--accounts", "--depth", "0"], db: db, codes: [65], code: "invalid_request")
        try rejected(["balance", "--customer", "cus_1", "--flat"], db: db, codes: [65], code: "invalid_request")
        try rejected(["balance", "--customer", "cus_1", "--depth", "2"], db: db, codes: [65], code: "invalid_request")
        try rejected(["balance", "--accounts", "--as-of", "tomorrow"], db: db, codes: [65], code: "invalid_time")
    }

    // MARK: Reconcile

    @Test("reconcile's table is in major units; its CSV keeps whole minor units in columns named _minor")
    func reconcile() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let table = try human(["reconcile"], db: db)
        #expect(humanField("committed", in: table) == "120,000.00 usd", "\(table)")
        #expect(humanField("applied", in: table) == "150.00 usd", "\(table)")
        #expect(humanField("remaining", in: table) == "119,850.00 usd", "\(table)")
        #expect(humanField("recognized revenue at cost", in: table) == "150.00 usd", "\(table)")
        #expect(
            humanField("differences", in: table) == "balance 0.00 usd, invoiced 0.00 usd, paid 0.00 usd, cost 0.00 usd",
            "\(table)")

        let csv = try human(["reconcile", "--format", "csv"], db: db)
        let lines = csv.split(whereSeparator: \.isNewline).map {
            $0.split(separator: ",", omittingEmptySubsequences: false)
        }
        try #require(lines.count == 2, "\(csv)")
        let header = lines[0].map(String.init)
        #expect(header.prefix(4) == ["customer", "funding_invoice", "grants", "currency"], "\(csv)")
        #expect(header.dropFirst(4).allSatisfy { $0.hasSuffix("_minor") }, "\(csv)")
        #expect(lines[1].count == header.count, "every cell of the last row is there: \(csv)")
        let row = Dictionary(uniqueKeysWithValues: zip(header, lines[1].map(String.init)))
        #expect(row["currency"] == "usd")
        #expect(row["committed_minor"] == "12000000", "\(csv)")
        #expect(row["applied_minor"] == "15000", "\(csv)")
        #expect(row["remaining_minor"] == "11985000", "\(csv)")
        #expect(row["difference_cost_minor"] == "0", "\(csv)")
    }

    // MARK: Prices

    @Test("prices show and list print exact unit amounts in major units, every digit kept")
    func prices() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let package = try human(["prices", "show", "price_pkg"], db: db)
        #expect(humanField("scheme", in: package) == "0.04 usd / 100 units (round up)", "\(package)")
        let tenth = try human(["prices", "show", "price_tenth"], db: db)
        #expect(humanField("scheme", in: tenth) == "0.001 usd / unit", "\(tenth)")
        let tiers = try human(["prices", "show", "price_tiers"], db: db)
        #expect(
            humanField("tiers", in: tiers) == "1–1000: 0.00 usd / unit; 1001+: 0.001 usd / unit + flat 10.00 usd",
            "\(tiers)")
        let rows = humanRows(try human(["prices", "list"], db: db))
        #expect(rows.contains { $0.first == "price_pkg" && $0.contains("0.04 usd / 100 units (round up)") }, "\(rows)")
        #expect(rows.contains { $0.first == "price_tenth" && $0.contains("0.001 usd / unit") }, "\(rows)")
        // JSON keeps Stripe's minor-unit decimals.
        let json = try ok(["prices", "show", "price_tenth"], db: db, now: HT.feb2)
        #expect(json["unit_amount_decimal"] as? String == "0.1", "\(canonical(json))")
    }

    @Test("prices quote prints the exact and the rounded amount in major units")
    func quote() throws {
        let sb = try Sandbox()
        let db = try HumanFixture.ledger.copy(into: sb)
        let tenth = try human(["prices", "quote", "price_tenth", "--quantity", "15"], db: db)
        #expect(humanField("exact amount", in: tenth) == "0.015 usd", "\(tenth)")
        #expect(humanField("amount", in: tenth) == "0.02 usd", "1.5 cents round to 2: \(tenth)")
        let package = try human(["prices", "quote", "price_pkg", "--quantity", "375000"], db: db)
        #expect(humanField("billed quantity", in: package) == "3750", "\(package)")
        #expect(humanField("amount", in: package) == "150.00 usd", "\(package)")
    }
}
