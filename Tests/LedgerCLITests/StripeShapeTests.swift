import Foundation
import Testing

/// What the ledger prints beyond Stripe's keys, by object (README: "Where the JSON is not
/// Stripe's"). Each is there on purpose, and each is checked to be printed and documented.
private let extensions: [String: Set<String>] = [
    "billing.credit_balance_summary": ["as_of", "latest_meter_event", "receivable"],
    "billing.credit_grant": ["allowance", "balance", "cost_basis", "funding_invoice"],
    "billing.meter": ["metadata"],
    "billing.meter_event": ["cancelled_at", "customer", "late", "meter", "result", "value"],
    "billing.meter_event_adjustment": ["event"],
    "billing.meter_event_summary": ["customer"],
    "billing.alert": ["credit_balance_threshold", "triggered"],
    // Stripe has no recovery object: the ledger's is shaped as billing.alert_triggered.
    "billing.alert_recovered": ["alert", "created", "customer", "livemode", "object", "value"],
    "invoice.total_pretax_credit_amounts": ["credit_grant"],
    "line_item": ["meter"],
    "line_item.pretax_credit_amounts": ["credit_grant"],
    "subscription": ["finalization_grace_seconds", "next_period_items"],
]

/// Where a nested object's keys are listed: (object label, key) → the nested object's label.
/// A list's `data` and an array's elements are followed too.
private let nested: [String: [String: String]] = [
    "invoice": [
        "parent": "invoice.parent", "status_transitions": "invoice.status_transitions",
        "total_pretax_credit_amounts": "invoice.total_pretax_credit_amounts",
        "last_finalization_error": "invoice.last_finalization_error", "lines": "line_item",
    ],
    "invoice.parent": ["subscription_details": "invoice.parent.subscription_details"],
    "line_item": [
        "parent": "line_item.parent", "period": "line_item.period", "pricing": "line_item.pricing",
        "pretax_credit_amounts": "line_item.pretax_credit_amounts",
    ],
    "line_item.parent": [
        "subscription_item_details": "line_item.parent.subscription_item_details",
        "invoice_item_details": "line_item.parent.invoice_item_details",
    ],
    "line_item.pricing": ["price_details": "line_item.pricing.price_details"],
    "subscription": [
        "billing_mode": "subscription.billing_mode", "items": "subscription_item",
        "next_period_items": "subscription_item",
    ],
    "subscription_item": ["price": "price"],
    "price": [
        "recurring": "price.recurring", "tiers": "price.tiers", "transform_quantity": "price.transform_quantity",
    ],
    "invoiceitem": ["parent": "invoiceitem.parent", "pricing": "invoiceitem.pricing", "period": "invoiceitem.period"],
    "invoiceitem.parent": ["subscription_details": "invoiceitem.parent.subscription_details"],
    "billing.meter": [
        "customer_mapping": "billing.meter.customer_mapping",
        "default_aggregation": "billing.meter.default_aggregation", "value_settings": "billing.meter.value_settings",
    ],
    "billing.meter_event_adjustment": ["event": "billing.meter_event"],
    "event": ["data": "event.data"],
    // An event's object is whichever object it carries: checked as that object ("*").
    "event.data": ["object": "*"],
    "billing.alert_triggered": ["alert": "billing.alert"],
    "billing.alert_recovered": ["alert": "billing.alert"],
]

/// Checks `object` as the Stripe object `label`, and every nested object it holds; records the
/// labels seen and the extension keys printed.
private struct ShapeWalk {
    var seen: Set<String> = []
    var printedExtensions: [String: Set<String>] = [:]

    mutating func check(_ label: String, _ value: Any?, sourceLocation: SourceLocation = #_sourceLocation) {
        if let list = value as? [String: Any], list["object"] as? String == "list" {
            for item in list["data"] as? [Any] ?? [] { check(label, item, sourceLocation: sourceLocation) }
            return
        }
        if let array = value as? [Any] {
            for item in array { check(label, item, sourceLocation: sourceLocation) }
            return
        }
        guard let object = value as? [String: Any] else { return }
        guard let documented = StripeKeys.documented[label] ?? (extensions[label] != nil ? [] : nil) else {
            Issue.record("no documented keys for \(label)", sourceLocation: sourceLocation)
            return
        }
        seen.insert(label)
        let keys = Set(object.keys)
        let own = extensions[label] ?? []
        printedExtensions[label, default: []].formUnion(keys.intersection(own))
        let unknown = keys.subtracting(documented).subtracting(own)
        #expect(
            unknown.isEmpty, "\(label): keys Stripe does not document: \(unknown.sorted())",
            sourceLocation: sourceLocation)
        if documented.contains("livemode") {
            #expect(object["livemode"] as? Bool == false, "\(label): livemode", sourceLocation: sourceLocation)
        }
        for (key, child) in nested[label] ?? [:] where object[key] != nil {
            let named = (object[key] as? [String: Any])?["object"] as? String
            check(child == "*" ? named ?? "?" : child, object[key], sourceLocation: sourceLocation)
        }
    }
}

@Suite struct StripeShapeTests {
    /// One history with every object the CLI prints: a subscription with a licensed, a package and
    /// a graduated metered item, a promotional grant, pending invoice items (one for the
    /// subscription), a month billed, a cancelled event, a manual invoice sent with 30 days to
    /// pay, and the subscription cancelled mid-period.
    func history(_ sb: Sandbox) throws -> String {
        let db = try CLIFixture.standard.copy(into: sb)
        try subscribe(db, "cus_1", ["price_licence:2", "price_overage", "price_payg"], id: "sub_s")
        try ok(
            [
                "grants", "create", "--id", "credgr_s", "--customer", "cus_1", "--amount", "500", "--currency", "usd",
                "--category", "promotional", "--scope", "metered",
            ], db: db)
        try ok(
            [
                "invoice-items", "create", "--id", "ii_sub", "--customer", "cus_1", "--currency", "usd", "--amount",
                "300", "--subscription", "sub_s",
            ], db: db)
        try ok(
            [
                "invoice-items", "create", "--id", "ii_unit", "--customer", "cus_1", "--currency", "usd",
                "--unit-amount-decimal", "0.05", "--quantity", "30",
            ], db: db)
        // cus_2's invoice cannot finalize: its one line does not fit in 64 bits.
        try ok(
            CatalogStep.price(
                "price_huge", product: "prod_hyp",
                ["--unit-amount-decimal", "99999999999999999999"] + CatalogStep.metered("mtr_b")), db: db)
        try subscribe(db, "cus_2", ["price_huge"], id: "sub_h")
        // At or below 4.00: fires when February's finalization spends the grant, recovers with the next.
        try ok(["alerts", "create", "--customer", "cus_1", "--lte", "400", "--currency", "usd"], db: db)
        try usage(db, "alpaca_ai_tokens", "cus_1", 3000, id: "e-1")
        try usage(db, "hypernian_tokens", "cus_1", 1200, id: "e-2")
        try usage(db, "b_tokens", "cus_2", "999999999999999", id: "e-h")
        let report = try ok(["bill"], db: db, now: "2026-02-01T02:00:00Z")
        #expect(int64(report["invoices_finalized"]) == 1, "\(report)")
        #expect((report["invoices_failed"] as? [Any])?.count == 1, "\(report)")
        try ok(
            [
                "grants", "create", "--customer", "cus_1", "--amount", "1000", "--currency", "usd", "--category",
                "promotional", "--scope", "metered",
            ], db: db, now: "2026-02-01T03:00:00Z")
        try usage(db, "a_tokens", "cus_2", 1, at: "2026-02-02T00:00:00Z", id: "e-3")
        return db
    }

    @Test("every --json object's keys are Stripe's (stripe-python 6c6e3736) or a documented extension; livemode false")
    func keysAreStripes() throws {
        let sb = try Sandbox()
        let db = try history(sb)
        let now = "2026-02-10T00:00:00Z"
        var walk = ShapeWalk()
        let sent = try ok(
            [
                "invoices", "create", "--customer", "cus_3", "--currency", "usd", "--collection-method",
                "send_invoice", "--days-until-due", "30",
            ], db: db, now: now)
        #expect(sent["collection_method"] as? String == "send_invoice", "\(sent)")
        #expect(int64(sent["due_date"]) == at(now) + 30 * 86_400, "\(sent)")
        walk.check("invoice", sent)
        let cancel = try ok(
            ["events", "cancel", "--event-name", "a_tokens", "--identifier", "e-3"], db: db, now: now)
        walk.check("billing.meter_event_adjustment", cancel)
        walk.check(
            "billing.meter_event",
            try ok(recordArgs("a_tokens", customer: "cus_2", value: "2", id: "e-4"), db: db, now: now))
        walk.check("subscription", try ok(["subscriptions", "show", "sub_s"], db: db, now: now))
        walk.check("subscription", try ok(["subscriptions", "list"], db: db, now: now))
        walk.check("invoice", try ok(["invoices", "preview", "--subscription", "sub_s"], db: db, now: now))
        walk.check("invoiceitem", try ok(["invoice-items", "list"], db: db, now: now))
        try ok(["subscriptions", "cancel", "sub_s"], db: db, now: now)
        walk.check("invoice", try ok(["invoices", "list"], db: db, now: now))
        walk.check("customer", try ok(["customers", "list"], db: db, now: now))
        walk.check("product", try ok(["products", "list"], db: db, now: now))
        walk.check("price", try ok(["prices", "list"], db: db, now: now))
        walk.check("billing.meter", try ok(["meters", "list"], db: db, now: now))
        walk.check(
            "billing.meter_event_summary",
            try ok(
                [
                    "events", "summary", "--meter", "mtr_alpaca", "--customer", "cus_1", "--start",
                    "2026-01-01T00:00:00Z", "--end", "2026-02-01T00:00:00Z",
                ], db: db, now: now))
        walk.check("billing.credit_grant", try ok(["grants", "list", "--customer", "cus_1"], db: db, now: now))
        walk.check(
            "billing.credit_balance_transaction",
            try ok(["credit-transactions", "list", "--customer", "cus_1"], db: db, now: now))
        walk.check("billing.credit_balance_summary", try ok(["balance", "--customer", "cus_1"], db: db, now: now))
        walk.check(
            "billing.credit_balance_summary", try ok(["balance", "--customer", "cus_1", "--live"], db: db, now: now))
        walk.check("event", try ok(["events-feed", "list"], db: db, now: now))
        walk.check("billing.alert", try ok(["alerts", "list"], db: db, now: now))

        // Every documented object was printed, so no list above is left unchecked.
        #expect(Set(StripeKeys.documented.keys).subtracting(walk.seen).sorted() == [])
        // Every extension is printed (a stale entry fails) and named in the README.
        let readme = try String(contentsOf: readmeURL, encoding: .utf8)
        for (label, keys) in extensions {
            #expect(walk.printedExtensions[label] ?? [] == keys, "\(label): extensions printed")
            for key in keys {
                let row = readme.split(separator: "\n").contains {
                    $0.hasPrefix("|") && $0.contains("`\(label)`") && $0.contains("`\(key)`")
                }
                #expect(row, "README's table of extra fields names \(label).\(key)")
            }
        }
    }
}

extension StripeShapeTests {
    @Test("aggregated_value is a JSON number with the sum's exact digits, never through a float")
    func aggregatedValueIsExact() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try usage(
            db, "a_tokens", "cus_1", "12345678", at: "2026-01-02T00:00:00Z", id: "v-1", now: "2026-01-03T00:00:00Z")
        try usage(
            db, "a_tokens", "cus_1", "0.000000000001", at: "2026-01-02T00:00:01Z", id: "v-2",
            now: "2026-01-03T00:00:00Z")
        let args = [
            "events", "summary", "--meter", "mtr_a", "--customer", "cus_1", "--start", "2026-01-01T00:00:00Z",
            "--end", "2026-01-03T00:00:00Z",
        ]
        let result = run(args, db: db, now: "2026-01-03T00:00:00Z")
        #expect(result.status == 0, "\(result)")
        // 20 significant digits: a Double would print 12345678.
        #expect(result.stdout.contains("\"aggregated_value\": 12345678.000000000001"), "\(result.stdout)")
        let json = try ok(args, db: db, now: "2026-01-03T00:00:00Z")
        #expect((json["data"] as? [[String: Any]])?.first?["aggregated_value"] is NSNumber, "a number: \(json)")
    }
}

/// The project's README.md, beside Package.swift.
private let readmeURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("README.md")
