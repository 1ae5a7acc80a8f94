import Foundation
import Testing

/// README's Stripe table, the invoice, credit and clock rows: each test runs its row's command
/// (`StripeRow`) as written and checks what it did.
@Suite struct StripeTableBillingTests {
    static let afterJanuary = "2026-02-01T01:00:00Z"

    /// The catalog, and with `invoice` the draft `in_1` of `cus_1` holding a 1000 item.
    func ledger(invoice: Bool = false) throws -> Sandbox {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        if invoice {
            try ok(
                ["invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "1000"], db: sb.db)
            try ok(
                ["invoices", "create", "--customer", "cus_1", "--pending-items", "include", "--id", "in_1"], db: sb.db)
        }
        return sb
    }

    /// `sub_1` (`price_seat:1`, `price_pkg`) from Jan 1 and 3,000 tokens on Jan 15; with
    /// `grant`, `credgr_1`: 500 promotional for every metered price.
    func subscribed(grant: Bool = false) throws -> Sandbox {
        let sb = try ledger()
        try subscribe(sb.db, "cus_1", ["price_seat:1", "price_pkg"], id: "sub_1")
        if grant { try promotional(sb, "credgr_1", 500, scope: ["--scope", "metered"]) }
        try usage(sb.db, "hypernian_tokens", "cus_1", 3000, id: "e1")
        return sb
    }

    func promotional(_ sb: Sandbox, _ id: String, _ amount: Int, scope: [String]) throws {
        try ok(
            [
                "grants", "create", "--id", id, "--customer", "cus_1", "--amount", "\(amount)", "--currency", "usd",
                "--category", "promotional",
            ] + scope, db: sb.db)
    }

    /// The available balance of each currency of a credit balance summary.
    func available(_ summary: [String: Any]) -> [Int64?] {
        (summary["balances"] as? [[String: Any]] ?? []).map {
            int64(field($0, "available_balance", "monetary", "value"))
        }
    }

    @Test func usageAlertFiresOnceAndTheFeedHasTheFinalization() throws {
        let sb = try subscribed()
        // 3,000 tokens already in January: the one-time alert at 100 fires at its creation.
        let alert = try tableJSON(.usageAlert, sb, now: "2026-01-20T00:00:00Z")
        #expect(alert["alert_type"] as? String == "usage_threshold" && alert["triggered"] as? Bool == true)
        #expect(field(alert, "usage_threshold", "recurrence") as? String == "one_time", "\(canonical(alert))")
        try ok(["bill"], db: sb.db, now: "2026-02-01T01:00:00Z")
        let feed = try tableJSON(.feed, sb, now: "2026-02-01T01:00:00Z")
        let events = try #require(feed["data"] as? [[String: Any]], "\(canonical(feed))")
        #expect(events.map { $0["type"] as? String } == ["invoice.finalized", "invoice.finalized"])
        #expect(events.map { int64($0["created"]) } == [at("2026-01-01T00:00:00Z"), at("2026-02-01T01:00:00Z")])
    }

    @Test func previewIsTheUpcomingInvoice() throws {
        let sb = try subscribed()
        let preview = try tableJSON(.invoicePreview, sb, now: "2026-01-20T00:00:00Z")
        #expect(preview["id"] as? String == "upcoming_sub_1", "\(canonical(preview))")
        // 3,000 tokens to date (120) and the next month's licence (1000).
        #expect(int64(preview["total"]) == 1_120 && int64(preview["amount_due"]) == 1_120)
        #expect(try invoiceList(sb.db, now: "2026-01-20T00:00:00Z").count == 1, "a preview writes nothing")
    }

    @Test func invoicesList() throws {
        let sb = try ledger(invoice: true)
        let list = try tableJSON(.invoiceList, sb)
        let data = try #require(list["data"] as? [[String: Any]], "\(canonical(list))")
        #expect(data.map { $0["id"] as? String } == ["in_1"] && data.map { $0["customer"] as? String } == ["cus_1"])
    }

    @Test func invoiceShow() throws {
        let sb = try ledger(invoice: true)
        let invoice = try tableJSON(.invoiceShow, sb)
        #expect(invoice["object"] as? String == "invoice" && invoice["status"] as? String == "draft")
        #expect(int64(invoice["amount_due"]) == 1_000, "\(canonical(invoice))")
    }

    @Test func invoiceItemIsPending() throws {
        let sb = try ledger()
        let item = try tableJSON(.invoiceItemCreate, sb)
        #expect((item["id"] as? String)?.hasPrefix("ii_") == true, "\(canonical(item))")
        #expect(int64(item["amount"]) == 1_000 && item["customer"] as? String == "cus_1")
        let invoice = try ok(["invoices", "create", "--customer", "cus_1", "--pending-items", "include"], db: sb.db)
        #expect(int64(invoice["amount_due"]) == 1_000, "the next invoice takes it: \(canonical(invoice))")
    }

    @Test func manualInvoiceTakesThePendingItems() throws {
        let sb = try ledger()
        try ok(["invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "1000"], db: sb.db)
        let invoice = try tableJSON(.invoiceCreate, sb)
        #expect((invoice["id"] as? String)?.hasPrefix("in_") == true, "\(canonical(invoice))")
        #expect(invoice["status"] as? String == "draft" && int64(invoice["amount_due"]) == 1_000)
    }

    @Test func finalize() throws {
        let sb = try ledger(invoice: true)
        let open = try tableJSON(.invoiceFinalize, sb)
        #expect(open["status"] as? String == "open" && open["number"] as? String == "INV-000001", "\(canonical(open))")
        #expect(int64(open["amount_due"]) == 1_000)
    }

    /// `in_1`, finalized.
    func openInvoice() throws -> Sandbox {
        let sb = try ledger(invoice: true)
        try ok(["invoices", "finalize", "in_1"], db: sb.db)
        return sb
    }

    @Test func pay() throws {
        #expect(try tableJSON(.invoicePay, try openInvoice())["status"] as? String == "paid")
    }

    @Test func void() throws {
        #expect(try tableJSON(.invoiceVoid, try openInvoice())["status"] as? String == "void")
    }

    @Test func markUncollectible() throws {
        #expect(try tableJSON(.invoiceUncollectible, try openInvoice())["status"] as? String == "uncollectible")
    }

    @Test func deleteADraft() throws {
        let sb = try ledger(invoice: true)
        let deleted = try tableJSON(.invoiceDelete, sb)
        #expect(
            deleted["id"] as? String == "in_1" && deleted["object"] as? String == "invoice", "\(canonical(deleted))")
        #expect(try invoiceList(sb.db).isEmpty)
    }

    @Test func paidGrant() throws {
        let sb = try ledger()
        let grant = try tableJSON(.grantPaid, sb)
        #expect((grant["id"] as? String)?.hasPrefix("credgr_") == true, "\(canonical(grant))")
        #expect(grant["object"] as? String == "billing.credit_grant" && grant["category"] as? String == "paid")
        #expect(int64(field(grant, "amount", "monetary", "value")) == 1_000)
        #expect(field(grant, "applicability_config", "scope", "price_type") as? String == "metered")
        #expect(grant["name"] as? String == "Purchased Credits")
    }

    @Test func promotionalGrantWithPriorityAndExpiry() throws {
        let sb = try ledger()
        let grant = try tableJSON(.grantPromotional, sb)
        #expect(grant["category"] as? String == "promotional" && int64(grant["priority"]) == 10, "\(canonical(grant))")
        #expect(int64(grant["expires_at"]) == at("2026-04-01T00:00:00Z"))
    }

    @Test func grantScopedToAPrice() throws {
        let sb = try ledger()
        let grant = try tableJSON(.grantScoped, sb)
        let prices = field(grant, "applicability_config", "scope", "prices") as? [[String: Any]]
        #expect(prices?.map { $0["id"] as? String } == ["price_pkg"], "\(canonical(grant))")
    }

    /// The catalog and `credgr_1`, 500 promotional for every metered price.
    func granted() throws -> Sandbox {
        let sb = try ledger()
        try promotional(sb, "credgr_1", 500, scope: ["--scope", "metered"])
        return sb
    }

    @Test func grantUpdate() throws {
        let updated = try tableJSON(.grantUpdate, try granted())
        #expect(int64(updated["expires_at"]) == at("2026-12-31T00:00:00Z"), "\(canonical(updated))")
        #expect(field(updated, "metadata", "cost_basis") as? String == "0.9")
    }

    @Test func grantShow() throws {
        let shown = try tableJSON(.grantShow, try granted())
        #expect(shown["id"] as? String == "credgr_1" && int64(field(shown, "balance", "remaining")) == 500)
    }

    @Test func grantList() throws {
        let list = try tableJSON(.grantList, try granted())
        #expect((list["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["credgr_1"], "\(canonical(list))")
    }

    @Test func grantExpire() throws {
        let sb = try granted()
        let expired = try tableJSON(.grantExpire, sb)
        #expect(int64(field(expired, "balance", "remaining")) == 0, "\(canonical(expired))")
        #expect(available(try ok(["balance", "--customer", "cus_1"], db: sb.db)) == [0])
    }

    @Test func grantVoid() throws {
        let voided = try tableJSON(.grantVoid, try granted())
        #expect(int64(voided["voided_at"]) == defaultNowSeconds, "\(canonical(voided))")
    }

    @Test func balanceAfterTheCreditBurnsDown() throws {
        let sb = try subscribed(grant: true)
        try bill(sb.db, now: Self.afterJanuary, created: 1, finalized: 1)
        let summary = try tableJSON(.balance, sb, now: Self.afterJanuary)
        #expect(
            summary["object"] as? String == "billing.credit_balance_summary"
                && summary["customer"] as? String == "cus_1")
        // 3,000 tokens are 120, paid by the grant: 380 left.
        #expect(available(summary) == [380], "\(canonical(summary))")
    }

    /// `credgr_1` (500) for `price_pkg` and `credgr_2` (300) for another metered price.
    func twoGrants() throws -> Sandbox {
        let sb = try ledger()
        try ok(
            CatalogStep.price(
                "price_other", product: "prod_hyp", ["--unit-amount", "1"] + CatalogStep.metered("mtr_hyp")),
            db: sb.db)
        try promotional(sb, "credgr_1", 500, scope: ["--scope-price", "price_pkg"])
        try promotional(sb, "credgr_2", 300, scope: ["--scope-price", "price_other"])
        #expect(available(try ok(["balance", "--customer", "cus_1"], db: sb.db)) == [800])
        return sb
    }

    @Test func balanceOfAGrant() throws {
        #expect(available(try tableJSON(.balanceOfGrant, try twoGrants())) == [500])
    }

    @Test func balanceOfAPrice() throws {
        #expect(available(try tableJSON(.balanceOfPrice, try twoGrants())) == [500])
    }

    @Test func creditTransactionsOfAGrant() throws {
        let sb = try subscribed(grant: true)
        try bill(sb.db, now: Self.afterJanuary, created: 1, finalized: 1)
        let list = try tableJSON(.creditTransactions, sb, now: Self.afterJanuary)
        let data = try #require(list["data"] as? [[String: Any]], "\(canonical(list))")
        // credits_granted, then credits_applied to the January invoice.
        #expect(data.count == 2 && data.allSatisfy { ($0["id"] as? String)?.hasPrefix("cbtxn_") == true })
        #expect(data.allSatisfy { $0["credit_grant"] as? String == "credgr_1" }, "\(canonical(list))")
    }

    @Test func aTestClockIsNow() throws {
        let sb = try Sandbox()
        let customer = try tableJSON(.testClock, sb, now: nil)
        #expect(int64(customer["created"]) == defaultNowSeconds, "\(canonical(customer))")
    }

    @Test func advancingTheTestClockBills() throws {
        let sb = try subscribed(grant: true)
        let text = try tableText(.testClockAdvance, sb, now: "2026-01-20T00:00:00Z")
        #expect(text == "1 invoice created, 1 finalized, 0 subscriptions ended, 0 failed\n")
        let invoices = try invoiceList(sb.db, now: Self.afterJanuary)
        // January's usage (120, all paid by credit) and February's licence (1000).
        #expect(invoices.map { int64($0["amount_due"]) } == [1_000, 1_000], "\(invoices.map(canonical))")
        #expect(invoices.map { $0["status"] as? String } == ["open", "open"])
        // Unlike a Stripe test clock, the ledger does not stay at the advanced time.
        try rejected(
            recordArgs("hypernian_tokens", customer: "cus_1", value: "1"), db: sb.db, codes: [65],
            code: "clock_regression")
    }

    @Test func theBillingRunIsTheHosts() throws {
        let sb = try subscribed()
        let text = try tableText(.bill, sb, now: Self.afterJanuary)
        #expect(text == "1 invoice created, 1 finalized, 0 subscriptions ended, 0 failed\n")
        #expect(try invoiceList(sb.db, now: Self.afterJanuary).map { int64($0["amount_due"]) } == [1_000, 1_120])
    }
}
