import Foundation
import Testing

/// README's Stripe table, the catalog and subscription rows: each test runs its row's command
/// (`StripeRow`) as written and checks what it did.
@Suite struct StripeTableCatalogTests {
    /// `prices quote ID --quantity Q`'s rounded amount.
    func quote(_ sb: Sandbox, _ price: String, _ quantity: String) throws -> Int64? {
        int64(try ok(["prices", "quote", price, "--quantity", quantity], db: sb.db)["amount"])
    }

    /// A fresh sandbox holding the Stripe table's catalog.
    func catalog() throws -> Sandbox {
        let sb = try Sandbox()
        _ = try CLIFixture.stripeTable.copy(into: sb)
        return sb
    }

    @Test func customerCreate() throws {
        let sb = try Sandbox()
        let customer = try tableJSON(.customerCreate, sb)
        #expect((customer["id"] as? String)?.hasPrefix("cus_") == true, "\(canonical(customer))")
        #expect(customer["object"] as? String == "customer")
        #expect(customer["name"] as? String == "John Doe" && customer["email"] as? String == "jdoe@example.com")
    }

    @Test func productCreate() throws {
        let sb = try Sandbox()
        let product = try tableJSON(.productCreate, sb)
        #expect((product["id"] as? String)?.hasPrefix("prod_") == true, "\(canonical(product))")
        #expect(product["object"] as? String == "product" && product["name"] as? String == "Hypernian")
    }

    @Test func meteredPrice() throws {
        let sb = try catalog()
        let price = try tableJSON(.priceMetered, sb)
        let id = try #require(price["id"] as? String, "\(canonical(price))")
        #expect(id.hasPrefix("price_"))
        #expect(field(price, "recurring", "meter") as? String == "mtr_hyp")
        #expect(field(price, "recurring", "usage_type") as? String == "metered")
        #expect(price["billing_scheme"] as? String == "per_unit" && int64(price["unit_amount"]) == 3)
        #expect(try quote(sb, id, "100") == 300)
    }

    @Test func packagePriceByTransformQuantity() throws {
        let sb = try catalog()
        let price = try tableJSON(.pricePackage, sb)
        let id = try #require(price["id"] as? String, "\(canonical(price))")
        #expect(int64(field(price, "transform_quantity", "divide_by")) == 100)
        #expect(field(price, "transform_quantity", "round") as? String == "up")
        #expect(try quote(sb, id, "3000") == 120)
        #expect(try quote(sb, id, "25") == 4)
    }

    @Test func graduatedTiers() throws {
        let sb = try catalog()
        let price = try tableJSON(.priceGraduated, sb)
        #expect(price["billing_scheme"] as? String == "tiered" && price["tiers_mode"] as? String == "graduated")
        #expect((price["tiers"] as? [Any])?.count == 3, "\(canonical(price))")
        // 5 × 700 + 5 × 650 + 10 × 600.
        #expect(try quote(sb, try #require(price["id"] as? String), "20") == 12_750)
    }

    @Test func volumeTiers() throws {
        let sb = try catalog()
        let price = try tableJSON(.priceVolume, sb)
        #expect(price["tiers_mode"] as? String == "volume", "\(canonical(price))")
        // All 20 at the last tier's 600.
        #expect(try quote(sb, try #require(price["id"] as? String), "20") == 12_000)
    }

    @Test func flatFeeTier() throws {
        let sb = try catalog()
        let price = try tableJSON(.priceFlatFee, sb)
        let id = try #require(price["id"] as? String, "\(canonical(price))")
        let tiers = try #require(price["tiers"] as? [[String: Any]], "\(canonical(price))")
        #expect(tiers.map { int64($0["flat_amount"]) } == [5_000, nil])
        #expect(try quote(sb, id, "0") == 5_000)
        #expect(try quote(sb, id, "1500") == 7_000)
    }

    @Test func licensedPrice() throws {
        let sb = try catalog()
        let price = try tableJSON(.priceLicensed, sb)
        #expect(field(price, "recurring", "usage_type") as? String == "licensed", "\(canonical(price))")
        #expect(int64(price["unit_amount"]) == 1_000 && price["currency"] as? String == "usd")
    }

    @Test func priceWithProductData() throws {
        let sb = try catalog()
        let price = try tableJSON(.priceProductData, sb)
        let product = try #require(price["product"] as? String, "\(canonical(price))")
        #expect(product.hasPrefix("prod_"))
        #expect(try ok(["products", "show", product], db: sb.db)["name"] as? String == "Alpaca AI")
    }

    @Test func priceArchived() throws {
        let sb = try catalog()
        #expect(try tableJSON(.priceUpdate, sb)["active"] as? Bool == false)
        try rejected(
            ["subscriptions", "create", "--customer", "cus_1", "--item", "price_pkg"], db: sb.db, codes: [65],
            code: "price_inactive")
    }

    @Test func meteredSubscriptionHasNoFirstInvoice() throws {
        let sb = try catalog()
        let sub = try tableJSON(.subscriptionMetered, sb)
        #expect((sub["id"] as? String)?.hasPrefix("sub_") == true, "\(canonical(sub))")
        #expect(sub["object"] as? String == "subscription" && sub["status"] as? String == "active")
        #expect(sub["customer"] as? String == "cus_1")
        #expect(try invoiceList(sb.db).isEmpty)
    }

    @Test func flatFeeAndOverageSubscription() throws {
        let sb = try catalog()
        #expect(try tableJSON(.subscriptionFlatFee, sb)["status"] as? String == "active")
        let invoices = try invoiceList(sb.db)
        #expect(invoices.map { int64($0["amount_due"]) } == [1_000], "\(invoices.map(canonical))")
        #expect(invoices.map { $0["status"] as? String } == ["open"])
    }

    @Test func gracePeriodZeroFinalizesAtTheBoundary() throws {
        let sb = try catalog()
        #expect(try tableJSON(.subscriptionGrace, sb)["status"] as? String == "active")
        try usage(sb.db, "hypernian_tokens", "cus_1", 3000, id: "e1")
        try bill(sb.db, now: "2026-02-01T00:00:00Z", created: 1, finalized: 1)
        let invoices = try invoiceList(sb.db, now: "2026-02-01T00:00:00Z")
        #expect(invoices.map { $0["status"] as? String } == ["open"], "\(invoices.map(canonical))")
        #expect(invoices.map { int64($0["amount_due"]) } == [120])
    }

    @Test func cancelAtPeriodEnd() throws {
        let sb = try catalog()
        try subscribe(sb.db, "cus_1", ["price_seat:1", "price_pkg"], id: "sub_1")
        try usage(sb.db, "hypernian_tokens", "cus_1", 3000, id: "e1")
        #expect(
            try tableJSON(.subscriptionCancelAtPeriodEnd, sb, now: "2026-01-20T00:00:00Z")["status"] as? String
                == "active")
        let after = "2026-02-01T01:00:00Z"
        try bill(sb.db, now: after, created: 1, finalized: 1, ended: 1)
        #expect(try ok(["subscriptions", "show", "sub_1"], db: sb.db, now: after)["status"] as? String == "canceled")
        // The licence in advance at creation, then the last period's usage and no next licence.
        #expect(try invoiceList(sb.db, now: after).map { int64($0["amount_due"]) } == [1_000, 120])
    }

    @Test func cancelNowBillsTheUsageToDate() throws {
        let sb = try catalog()
        try subscribe(sb.db, "cus_1", ["price_pkg"], id: "sub_1")
        try usage(sb.db, "hypernian_tokens", "cus_1", 3000, id: "e1")
        let canceled = try tableJSON(.subscriptionCancel, sb, now: "2026-01-20T00:00:00Z")
        #expect(canceled["status"] as? String == "canceled", "\(canonical(canceled))")
        try bill(sb.db, now: "2026-01-20T01:00:00Z", created: 0, finalized: 1)
        let invoices = try invoiceList(sb.db, now: "2026-01-20T01:00:00Z")
        #expect(invoices.map { int64($0["amount_due"]) } == [120], "\(invoices.map(canonical))")
        #expect(invoices.map { $0["status"] as? String } == ["open"])
    }
}
