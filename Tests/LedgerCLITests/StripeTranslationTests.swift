import Foundation
import Testing

/// Stripe calls that translate to `ledger` commands without surprises: an invoice item with a
/// unit amount and no quantity is one unit (Stripe's `quantity` defaults to 1); a price created
/// with its product inline (`product_data[name]`).
@Suite struct StripeTranslationTests {
    @Test("invoice-items create --unit-amount-decimal alone bills one unit; --amount with --quantity is refused")
    func unitAmountWithoutQuantityIsOneUnit() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1", "--name", "Items"], db: sb.db)
        let item = try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--unit-amount-decimal",
                "1250.5", "--id", "ii_1",
            ], db: sb.db)
        // 1250.5 minor units × 1, rounded half away from zero: 1251.
        #expect(int64(item["amount"]) == 1251, "\(canonical(item))")
        #expect(item["quantity_decimal"] as? String == "1", "\(canonical(item))")
        #expect(int64(item["quantity"]) == 1, "\(canonical(item))")
        try rejected(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "500",
                "--quantity", "2",
            ], db: sb.db, codes: [65], code: "invalid_request")
    }

    @Test("prices create --product-name creates the product and the price in one transaction")
    func priceWithItsProductInline() throws {
        let sb = try Sandbox()
        let price = try ok(
            [
                "prices", "create", "--product-name", "Tokens", "--currency", "usd", "--unit-amount", "250",
                "--lookup-key", "tokens_std", "--id", "price_1",
            ], db: sb.db)
        let productID = try #require(price["product"] as? String, "\(canonical(price))")
        #expect(productID.hasPrefix("prod_"), "\(canonical(price))")
        let product = try ok(["products", "show", productID], db: sb.db)
        #expect(product["name"] as? String == "Tokens", "\(canonical(product))")
        #expect(int64(try ok(["prices", "quote", "price_1", "--quantity", "3"], db: sb.db)["amount"]) == 750)
        // The lookup key is taken: refused inside the transaction, after the product was
        // inserted, and the file is as before (no second product).
        try rejected(
            [
                "prices", "create", "--product-name", "Tokens again", "--currency", "usd", "--unit-amount", "1",
                "--lookup-key", "tokens_std",
            ], db: sb.db, codes: [65], code: "lookup_key_taken")
        let products = try ok(["products", "list"], db: sb.db)
        #expect((products["data"] as? [[String: Any]])?.count == 1, "\(canonical(products))")
        // Neither or both of --product and --product-name: refused before the file is opened.
        for args in [
            ["prices", "create", "--currency", "usd", "--unit-amount", "1"],
            [
                "prices", "create", "--product", productID, "--product-name", "X", "--currency", "usd", "--unit-amount",
                "1",
            ],
        ] {
            try rejected(args, db: sb.db, codes: [65], code: "invalid_request")
        }
    }

    @Test("invoices create without --currency: the pending items' one currency, else the subscriptions'")
    func invoiceCurrencyFromPendingItemsElseSubscriptions() throws {
        let sb = try Sandbox()
        for id in ["cus_sub", "cus_mixed", "cus_none"] { try ok(["customers", "create", "--id", id], db: sb.db) }
        try ok(
            [
                "prices", "create", "--product-name", "Seat", "--currency", "usd", "--interval", "month",
                "--unit-amount", "1000", "--id", "price_seat",
            ], db: sb.db)
        try ok(["subscriptions", "create", "--customer", "cus_sub", "--item", "price_seat:1"], db: sb.db)
        let fromSubscription = try ok(["invoices", "create", "--customer", "cus_sub"], db: sb.db)
        #expect(fromSubscription["currency"] as? String == "usd", "\(canonical(fromSubscription))")
        // A pending cad item wins over the usd subscription, and joins with include.
        try ok(["invoice-items", "create", "--customer", "cus_sub", "--currency", "cad", "--amount", "700"], db: sb.db)
        let fromItem = try ok(
            ["invoices", "create", "--customer", "cus_sub", "--pending-items", "include"], db: sb.db)
        #expect(fromItem["currency"] as? String == "cad", "\(canonical(fromItem))")
        #expect(int64(fromItem["subtotal"]) == 700, "\(canonical(fromItem))")
        // None known, or pending items in two currencies: refused, the file unchanged.
        try rejected(["invoices", "create", "--customer", "cus_none"], db: sb.db, codes: [65], code: "invalid_request")
        for currency in ["usd", "eur"] {
            try ok(
                ["invoice-items", "create", "--customer", "cus_mixed", "--currency", currency, "--amount", "5"],
                db: sb.db)
        }
        try rejected(
            ["invoices", "create", "--customer", "cus_mixed"], db: sb.db, codes: [65], code: "invalid_request")
    }

    @Test("a refusal names the flag and Stripe's parameter when the flag was given: --end (end_time)")
    func errorsNameTheFlagAndTheParameter() throws {
        let sb = try Sandbox()
        try ok(["customers", "create", "--id", "cus_1"], db: sb.db)
        try ok(["meters", "create", "--display-name", "T", "--event-name", "t", "--id", "mtr_1"], db: sb.db)
        let summary = [
            "events", "summary", "--meter", "mtr_1", "--customer", "cus_1", "--start", "2026-01-02T00:00:00Z",
            "--end", "2026-01-01T00:00:00Z",
        ]
        let human = try rejected(summary, db: sb.db, codes: [65], code: "invalid_time")
        #expect(human.stderr == "error: invalid_time: --end (end_time): end_time must be after start_time\n")
        // JSON keeps the message and names the parameter in `param`.
        let json = try rejected(summary, db: sb.db, codes: [65], code: "invalid_time", json: true)
        #expect(json.stderr.contains(#""message":"end_time must be after start_time","param":"end_time""#), "\(json)")
        // A parameter no flag of the command line gave: the message alone.
        let noCurrency = try rejected(
            ["invoices", "create", "--customer", "cus_1"], db: sb.db, codes: [65], code: "invalid_request")
        #expect(noCurrency.stderr.hasPrefix("error: invalid_request: name a currency"), "\(noCurrency)")
    }

    @Test("ledger completions bash|zsh|fish prints a script naming every command; another shell is refused")
    func completionScripts() throws {
        let sb = try Sandbox()
        for shell in ["bash", "zsh", "fish"] {
            let r = run(["completions", shell], db: sb.db, json: false)
            #expect(r.status == 0, "\(shell): \(r)")
            for command in ["invoices", "invoice-items", "subscriptions", "grants", "events", "completions"] {
                #expect(r.stdout.contains(command), "\(shell) script lacks \(command)")
            }
        }
        #expect(run(["completions", "bash"], db: sb.db, json: false).stdout.contains("-F _ledger ledger"))
        try rejected(["completions", "tcsh"], db: sb.db, codes: [65], code: "invalid_request")
        #expect(!databaseExists(sb.db), "completions creates no ledger file")
    }
}
