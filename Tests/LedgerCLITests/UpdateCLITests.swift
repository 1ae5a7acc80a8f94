import Foundation
import Testing

/// The update and delete verbs through the binary: customers update|delete, products
/// update|archive, prices update, subscriptions update, invoices update, invoice-items delete,
/// meters list-event-summaries.
///
/// The fixture, at 2026-01-01: customers `cus_1` (subscription `sub_1`: `price_l:2` and the
/// metered `price_pkg`), `cus_2` (nothing), `cus_3` (pending item `ii_p`), `cus_4` (draft `in_d`
/// with `ii_d1` 100 and `ii_d2` 250; open `in_o` with `ii_o` 300), `cus_5` (`sub_c`, canceled);
/// product `prod_1` with `price_l` (usd 1000 monthly, lookup key `k`), `price_m` (usd 500
/// monthly), `price_eur` (eur 100 monthly), `price_week` (usd 100 weekly), `price_gone`
/// (archived); meter `mtr_t` (event `tokens`) with `price_pkg` (CatalogStep.tokens) and `price_t2`
/// (1 a token, metered monthly).
extension CLIFixture {
    fileprivate static let updates = CLIFixture(
        "the update fixture",
        steps: CatalogStep.people + [CatalogStep.customer("cus_4", "Four"), CatalogStep.customer("cus_5", "Five")]
            + CatalogStep.tokens + [
                CatalogStep.price(
                    "price_t2", product: "prod_t", ["--unit-amount", "1"] + CatalogStep.metered("mtr_t")),
                CatalogStep.product("prod_1", "Seats"),
                CatalogStep.price(
                    "price_l", product: "prod_1", ["--unit-amount", "1000", "--lookup-key", "k"] + CatalogStep.licensed),
                CatalogStep.price("price_m", product: "prod_1", ["--unit-amount", "500"] + CatalogStep.licensed),
                CatalogStep.price(
                    "price_eur", product: "prod_1", currency: "eur", ["--unit-amount", "100"] + CatalogStep.licensed),
                CatalogStep.price("price_week", product: "prod_1", ["--unit-amount", "100", "--interval", "week"]),
                CatalogStep.price("price_gone", product: "prod_1", ["--unit-amount", "100"] + CatalogStep.licensed),
                ["prices", "archive", "price_gone"],
                [
                    "subscriptions", "create", "--id", "sub_1", "--customer", "cus_1", "--item", "price_l:2",
                    "--item", "price_pkg",
                ],
                ["subscriptions", "create", "--id", "sub_c", "--customer", "cus_5", "--item", "price_m"],
                ["subscriptions", "cancel", "sub_c"],
                [
                    "invoice-items", "create", "--id", "ii_p", "--customer", "cus_3", "--currency", "usd", "--amount",
                    "100",
                ],
                ["invoices", "create", "--id", "in_d", "--customer", "cus_4", "--currency", "usd"],
                [
                    "invoice-items", "create", "--id", "ii_d1", "--customer", "cus_4", "--currency", "usd", "--amount",
                    "100", "--invoice", "in_d",
                ],
                [
                    "invoice-items", "create", "--id", "ii_d2", "--customer", "cus_4", "--currency", "usd", "--amount",
                    "250", "--invoice", "in_d",
                ],
                ["invoices", "create", "--id", "in_o", "--customer", "cus_4", "--currency", "usd"],
                [
                    "invoice-items", "create", "--id", "ii_o", "--customer", "cus_4", "--currency", "usd", "--amount",
                    "300", "--invoice", "in_o",
                ],
                ["invoices", "finalize", "in_o"],
            ])
}

@Suite struct UpdateCLITests {
    /// The IDs of sub_1's items: (licensed price_l, metered price_pkg).
    func items(_ db: String) throws -> (licence: String, metered: String) {
        let sub = try ok(["subscriptions", "show", "sub_1"], db: db)
        let data = try #require((sub["items"] as? [String: Any])?["data"] as? [[String: Any]])
        let id = { (price: String) in data.first { path($0, "price.id") as? String == price }?["id"] as? String ?? "" }
        return (id("price_l"), id("price_pkg"))
    }

    /// The amounts of each line of each invoice of sub_1, oldest first.
    func invoices(_ db: String, now: String) throws -> [[Int64]] {
        let list = try ok(["invoices", "list", "--subscription", "sub_1"], db: db, now: now)
        return try #require(list["data"] as? [[String: Any]]).map { invoice in
            ((invoice["lines"] as? [String: Any])?["data"] as? [[String: Any]] ?? []).map { int64($0["amount"]) ?? -1 }
        }
    }

    @Test func aCustomerIsUpdatedThenDeleted() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        try ok(["customers", "update", "cus_2", "--metadata", "a=1", "--metadata", "b=2"], db: db)
        let updated = try ok(
            ["customers", "update", "cus_2", "--email", "j@example.com", "--metadata", "a=", "--metadata", "c=3"],
            db: db)
        #expect(updated["email"] as? String == "j@example.com")
        #expect(updated["name"] as? String == "Jane Roe")
        #expect(updated["metadata"] as? [String: String] == ["b": "2", "c": "3"])
        let deleted = try ok(["customers", "delete", "cus_2"], db: db)
        #expect(canonical(deleted) == canonical(["id": "cus_2", "object": "customer", "deleted": true]))
        try rejected(["customers", "show", "cus_2"], db: db, codes: [65], code: "resource_missing")
    }

    @Test func anArchivedProductsPriceStartsNoSubscription() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        let updated = try ok(
            ["products", "update", "prod_1", "--description", "Per seat", "--metadata", "line=core"], db: db)
        #expect(
            (updated["description"] as? String, updated["metadata"] as? [String: String]) == (
                "Per seat", ["line": "core"]
            ))
        let archived = try ok(["products", "archive", "prod_1"], db: db)
        #expect(archived["active"] as? Bool == false)
        // As Stripe: a price can still be created on it, but not used in a new subscription.
        try ok(
            CatalogStep.price("price_new", product: "prod_1", ["--unit-amount", "5"] + CatalogStep.licensed), db: db)
        try rejected(
            ["subscriptions", "create", "--customer", "cus_2", "--item", "price_new"], db: db, codes: [65],
            code: "product_inactive")
        try rejected(
            ["subscriptions", "update", "sub_1", "--add-item", "price_m"], db: db, codes: [65], code: "product_inactive"
        )
        #expect(try ok(["products", "update", "prod_1", "--active", "true"], db: db)["active"] as? Bool == true)
    }

    @Test func aLookupKeyIsTransferred() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        let moved = try ok(
            ["prices", "update", "price_m", "--lookup-key", "k", "--transfer-lookup-key", "--nickname", "Seat"], db: db)
        #expect((moved["lookup_key"] as? String, moved["nickname"] as? String) == ("k", "Seat"))
        #expect(isNull(try ok(["prices", "show", "price_l"], db: db)["lookup_key"]))
        let archived = try ok(["prices", "update", "price_m", "--active", "false"], db: db)
        #expect(archived["active"] as? Bool == false)
        try rejected(
            ["subscriptions", "update", "sub_1", "--add-item", "price_m"], db: db, codes: [65], code: "price_inactive")
    }

    /// No proration: the January invoice stays as made, February's bills the new quantity and item.
    @Test func aSubscriptionUpdateBillsFromTheNextPeriod() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        let (licence, _) = try items(db)
        let updated = try ok(
            ["subscriptions", "update", "sub_1", "--item-quantity", "\(licence)=3", "--add-item", "price_m:2"], db: db,
            now: "2026-01-15T00:00:00Z")
        let current = try #require((updated["items"] as? [String: Any])?["data"] as? [[String: Any]])
        let next = try #require((updated["next_period_items"] as? [String: Any])?["data"] as? [[String: Any]])
        #expect(current.map { int64($0["quantity"]) } == [2, nil])
        #expect(next.map { int64($0["quantity"]) } == [3, nil, 2])
        #expect(next.map { path($0, "price.id") as? String } == ["price_l", "price_pkg", "price_m"])
        try usage(db, "tokens", "cus_1", 250, at: "2026-01-20T00:00:00Z", id: "e-1")
        #expect(try invoices(db, now: "2026-01-20T00:00:00Z") == [[2_000]])
        let csv = ["subscriptions", "list", "--customer", "cus_1", "--format", "csv"]
        #expect(run(csv, db: db, now: "2026-01-20T00:00:00Z", json: false).stdout.contains(",price_l:2;price_pkg:,"))
        try ok(["bill"], db: db, now: "2026-02-01T01:00:00Z")
        #expect(
            run(csv, db: db, now: "2026-02-01T01:00:00Z", json: false).stdout.contains(
                ",price_l:3;price_pkg:;price_m:2,"))
        // January's usage (250 tokens: 3 packages of 100 at 4) in arrears, 3 × 1000 + 2 × 500 in advance.
        #expect(try invoices(db, now: "2026-02-01T01:00:00Z") == [[2_000], [12, 3_000, 1_000]])
        let cancel = try ok(
            ["subscriptions", "update", "sub_1", "--cancel-at-period-end", "true"], db: db, now: "2026-02-02T00:00:00Z")
        #expect(cancel["cancel_at_period_end"] as? Bool == true)
        let back = try ok(
            ["subscriptions", "update", "sub_1", "--cancel-at-period-end", "false"], db: db, now: "2026-02-02T00:00:00Z"
        )
        #expect(back["cancel_at_period_end"] as? Bool == false)
        #expect(isNull(back["canceled_at"]))
    }

    @Test func aDraftIsUpdatedAndLosesAnItem() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        let updated = try ok(["invoices", "update", "in_d", "--description", "March", "--metadata", "po=7"], db: db)
        #expect((updated["description"] as? String, updated["metadata"] as? [String: String]) == ("March", ["po": "7"]))
        let deleted = try ok(["invoice-items", "delete", "ii_d1"], db: db)
        #expect(canonical(deleted) == canonical(["id": "ii_d1", "object": "invoiceitem", "deleted": true]))
        let draft = try ok(["invoices", "show", "in_d"], db: db)
        #expect((int64(draft["subtotal"]), int64(draft["total"]), int64(draft["amount_due"])) == (250, 250, 250))
        #expect(((draft["lines"] as? [String: Any])?["data"] as? [[String: Any]])?.count == 1)
        let pending = try ok(["invoice-items", "delete", "ii_p"], db: db)
        #expect(pending["id"] as? String == "ii_p")
        try ok(["customers", "delete", "cus_3"], db: db)
    }

    @Test func listEventSummariesIsEventsSummary() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        try usage(db, "tokens", "cus_1", 40, at: "2026-01-10T00:00:00Z", id: "e-1")
        let range = ["--meter", "mtr_t", "--customer", "cus_1", "--start", "2026-01-01", "--end", "2026-01-11"]
        let summary = run(["events", "summary"] + range, db: db, now: "2026-01-11T00:00:00Z")
        let alias = run(["meters", "list-event-summaries"] + range, db: db, now: "2026-01-11T00:00:00Z")
        #expect(summary.status == 0)
        #expect(alias.stdout == summary.stdout)
        let data = try JSONSerialization.jsonObject(with: Data(alias.stdout.utf8)) as? [String: Any]
        let summaries = try #require(data?["data"] as? [[String: Any]])
        #expect(summaries.map { numberText($0["aggregated_value"]) } == ["40"])
    }

    @Test func anUpdateUnderAnIdempotencyKeyRunsOnce() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        let args = ["--idempotency-key", "u-1", "customers", "update", "cus_2", "--metadata", "n=1"]
        let first = run(args, db: db)
        try ok(["customers", "update", "cus_2", "--metadata", "n=2"], db: db)
        let again = run(args, db: db)
        #expect((first.status, again.status) == (0, 0))
        #expect(again.stdout == first.stdout)
        #expect(try ok(["customers", "show", "cus_2"], db: db)["metadata"] as? [String: String] == ["n": "2"])
        try rejected(
            ["--idempotency-key", "u-1", "customers", "delete", "cus_2"], db: db, codes: [65],
            code: "idempotency_key_reused")
    }

    /// Each verb's bad input: the exit status, the code, and the file unchanged.
    static let refusals: [(String, [String], Int32, String?)] = [
        ("update an unknown customer", ["customers", "update", "cus_nope", "--name", "x"], 65, "resource_missing"),
        (
            "customer metadata without =", ["customers", "update", "cus_2", "--metadata", "novalue"], 65,
            "invalid_metadata"
        ),
        ("customer update without an ID", ["customers", "update"], 64, nil),
        ("delete a subscribed customer", ["customers", "delete", "cus_1"], 65, "customer_in_use"),
        ("delete a customer with a pending item", ["customers", "delete", "cus_3"], 65, "customer_in_use"),
        ("delete a customer with invoices", ["customers", "delete", "cus_4"], 65, "customer_in_use"),
        ("delete an unknown customer", ["customers", "delete", "cus_nope"], 65, "resource_missing"),
        ("update an unknown product", ["products", "update", "prod_nope", "--name", "x"], 65, "resource_missing"),
        ("an empty product name", ["products", "update", "prod_1", "--name", ""], 65, "invalid_request"),
        ("active neither true nor false", ["products", "update", "prod_1", "--active", "yes"], 65, "invalid_request"),
        ("archive an unknown product", ["products", "archive", "prod_nope"], 65, "resource_missing"),
        ("a lookup key taken", ["prices", "update", "price_m", "--lookup-key", "k"], 65, "lookup_key_taken"),
        ("a transfer without a key", ["prices", "update", "price_m", "--transfer-lookup-key"], 65, "invalid_request"),
        ("update an unknown price", ["prices", "update", "price_nope", "--nickname", "x"], 65, "resource_missing"),
        ("price active 1", ["prices", "update", "price_m", "--active", "1"], 65, "invalid_request"),
        ("a price's amount", ["prices", "update", "price_m", "--unit-amount", "5"], 64, "invalid_usage"),
        (
            "update an unknown subscription", ["subscriptions", "update", "sub_nope", "--metadata", "a=b"], 65,
            "resource_missing"
        ),
        ("add a eur price", ["subscriptions", "update", "sub_1", "--add-item", "price_eur"], 65, "currency_mismatch"),
        (
            "add a weekly price", ["subscriptions", "update", "sub_1", "--add-item", "price_week"], 65,
            "invalid_request"
        ),
        (
            "add a price already on it", ["subscriptions", "update", "sub_1", "--add-item", "price_l"], 65,
            "invalid_request"
        ),
        (
            "add an archived price", ["subscriptions", "update", "sub_1", "--add-item", "price_gone"], 65,
            "price_inactive"
        ),
        (
            "add a negative quantity", ["subscriptions", "update", "sub_1", "--add-item", "price_m:-1"], 65,
            "invalid_request"
        ),
        (
            "add a quantity of a metered price", ["subscriptions", "update", "sub_1", "--add-item", "price_t2:1"], 65,
            "invalid_request"
        ),
        (
            "remove an unknown item", ["subscriptions", "update", "sub_1", "--remove-item", "si_nope"], 65,
            "resource_missing"
        ),
        (
            "a quantity without =", ["subscriptions", "update", "sub_1", "--item-quantity", "si_x"], 65,
            "invalid_request"
        ),
        (
            "cancel at period end maybe", ["subscriptions", "update", "sub_1", "--cancel-at-period-end", "maybe"], 65,
            "invalid_request"
        ),
        (
            "update a canceled subscription", ["subscriptions", "update", "sub_c", "--metadata", "a=b"], 65,
            "subscription_canceled"
        ),
        ("update an open invoice", ["invoices", "update", "in_o", "--description", "x"], 65, "invoice_not_editable"),
        ("update an unknown invoice", ["invoices", "update", "in_nope", "--description", "x"], 65, "resource_missing"),
        (
            "invoice metadata with an empty key", ["invoices", "update", "in_d", "--metadata", "=x"], 65,
            "invalid_metadata"
        ),
        ("delete an item of an open invoice", ["invoice-items", "delete", "ii_o"], 65, "invoice_not_editable"),
        ("delete an unknown item", ["invoice-items", "delete", "ii_nope"], 65, "resource_missing"),
        (
            "summaries of an unknown meter",
            [
                "meters", "list-event-summaries", "--meter", "mtr_nope", "--customer", "cus_1", "--start", "2026-01-01",
                "--end", "2026-01-02",
            ], 65, "resource_missing"
        ),
        ("summaries without a meter", ["meters", "list-event-summaries", "--customer", "cus_1"], 64, nil),
    ]

    @Test(arguments: refusals)
    func refused(_ name: String, _ args: [String], _ status: Int32, _ code: String?) throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        try rejected(args, db: db, codes: [status], code: code)
        try rejected(args, db: db, codes: [status], code: code, json: true)
    }

    /// The refusals that name sub_1's own items (their IDs are generated).
    @Test func refusedOnItsOwnItems() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.updates.copy(into: sb)
        let (licence, metered) = try items(db)
        let update = ["subscriptions", "update", "sub_1"]
        let cases: [([String], String)] = [
            (["--remove-item", licence, "--remove-item", metered], "invalid_request"),
            (["--item-quantity", "\(metered)=2"], "invalid_request"),
            (["--item-quantity", "\(licence)=-1"], "invalid_request"),
            (["--item-quantity", "\(licence)=1.5"], "invalid_request"),
            (["--item-quantity", "\(licence)=2", "--item-quantity", "\(licence)=3"], "invalid_request"),
            (["--remove-item", licence, "--item-quantity", "\(licence)=2"], "invalid_request"),
            (["--remove-item", licence, "--remove-item", licence], "invalid_request"),
        ]
        for (args, code) in cases {
            try rejected(update + args, db: db, codes: [65], code: code)
        }
    }
}
