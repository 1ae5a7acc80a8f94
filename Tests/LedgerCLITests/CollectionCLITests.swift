import Foundation
import Testing

/// Stripe's `collection_method`, `days_until_due` and `auto_advance` (README: JSON, Collection;
/// Schema/0012): what an invoice states about its payment, and a manual draft that finalizes
/// itself an hour after creation.
@Suite struct CollectionCLITests {
    @Test("invoices create --collection-method send_invoice --days-until-due 30: due 30 days after creation")
    func sentInvoiceIsDue() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let now = "2026-01-10T12:00:00Z"
        let sent = try ok(
            [
                "invoices", "create", "--customer", "cus_1", "--currency", "usd", "--collection-method",
                "send_invoice", "--days-until-due", "30", "--id", "in_sent",
            ], db: db, now: now)
        #expect(sent["collection_method"] as? String == "send_invoice", "\(sent)")
        #expect(int64(sent["due_date"]) == at("2026-02-09T12:00:00Z"), "\(sent)")
        #expect(sent["auto_advance"] as? Bool == false && isNull(sent["automatically_finalizes_at"]), "\(sent)")
        let plain = try ok(["invoices", "create", "--customer", "cus_1", "--currency", "usd"], db: db, now: now)
        #expect(plain["collection_method"] as? String == "charge_automatically", "\(plain)")
        #expect(isNull(plain["due_date"]), "\(plain)")
        // Finalizing keeps the due date; --auto-advance records auto_advance.
        try ok(
            [
                "invoice-items", "create", "--customer", "cus_1", "--currency", "usd", "--amount", "700",
                "--invoice", "in_sent",
            ], db: db, now: now)
        let open = try ok(["invoices", "finalize", "in_sent", "--auto-advance"], db: db, now: "2026-01-11T00:00:00Z")
        #expect(open["status"] as? String == "open" && open["auto_advance"] as? Bool == true, "\(open)")
        #expect(int64(open["due_date"]) == at("2026-02-09T12:00:00Z"), "\(open)")
        let human = run(["invoices", "show", "in_sent"], db: db, now: "2026-01-11T00:00:00Z", json: false)
        #expect(human.status == 0, "\(human.stderr)")
    }

    @Test("a send_invoice subscription's invoices are each due days_until_due after they are made")
    func subscriptionInvoicesAreDue() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let sub = try subscribe(
            db, "cus_1", ["price_licence", "price_payg"], id: "sub_due",
            extra: ["--collection-method", "send_invoice", "--days-until-due", "15"])
        #expect(sub["collection_method"] as? String == "send_invoice" && int64(sub["days_until_due"]) == 15, "\(sub)")
        try usage(db, "alpaca_ai_tokens", "cus_1", 3000, id: "e-1")
        try bill(db, now: "2026-02-01T01:00:00Z", created: 1, finalized: 1)
        let invoices = try invoiceList(db, ["--subscription", "sub_due"], now: "2026-02-01T01:00:00Z")
        try #require(invoices.count == 2, "\(invoices)")
        // The first invoice is made at creation (Jan 1), the cycle's at the boundary (Feb 1).
        #expect(int64(invoices[0]["due_date"]) == at("2026-01-16T00:00:00Z"), "\(invoices[0])")
        #expect(int64(invoices[1]["due_date"]) == at("2026-02-16T00:00:00Z"), "\(invoices[1])")
        #expect(invoices.allSatisfy { $0["collection_method"] as? String == "send_invoice" })
        #expect(invoices.allSatisfy { $0["auto_advance"] as? Bool == true })
        // Billing to Feb 1 01:00 at once or step by step: the same due dates (time is data).
        let steppedBox = try Sandbox()
        let stepped = try CLIFixture.standard.copy(into: steppedBox)
        try subscribe(
            stepped, "cus_1", ["price_licence", "price_payg"], id: "sub_due",
            extra: ["--collection-method", "send_invoice", "--days-until-due", "15"])
        try usage(stepped, "alpaca_ai_tokens", "cus_1", 3000, id: "e-1")
        try bill(stepped, now: "2026-02-01T00:00:00Z", created: 1, finalized: 0)
        try bill(stepped, now: "2026-02-01T01:00:00Z", created: 0, finalized: 1)
        let again = try invoiceList(stepped, ["--subscription", "sub_due"], now: "2026-02-01T01:00:00Z")
        #expect(again.map { int64($0["due_date"]) } == invoices.map { int64($0["due_date"]) })
    }

    @Test("invoices create --auto-advance: the billing run finalizes the draft an hour after creation, not before")
    func autoAdvanceFinalizesAfterAnHour() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        try ok(
            ["invoice-items", "create", "--customer", "cus_2", "--currency", "usd", "--amount", "1200"], db: db,
            now: "2026-01-05T00:00:00Z")
        let draft = try ok(
            [
                "invoices", "create", "--customer", "cus_2", "--pending-items", "include", "--auto-advance",
                "--id", "in_auto",
            ], db: db, now: "2026-01-05T00:00:00Z")
        #expect(draft["auto_advance"] as? Bool == true, "\(draft)")
        #expect(int64(draft["automatically_finalizes_at"]) == at("2026-01-05T01:00:00Z"), "\(draft)")
        try bill(db, now: "2026-01-05T00:59:59Z", created: 0, finalized: 0)
        #expect(
            try ok(["invoices", "show", "in_auto"], db: db, now: "2026-01-05T00:59:59Z")["status"] as? String == "draft"
        )
        try bill(db, now: "2026-01-05T01:00:00Z", created: 0, finalized: 1)
        let open = try ok(["invoices", "show", "in_auto"], db: db, now: "2026-01-05T01:00:00Z")
        #expect(open["status"] as? String == "open" && int64(open["amount_due"]) == 1200, "\(open)")
        #expect(int64(path(open, "status_transitions.finalized_at")) == at("2026-01-05T01:00:00Z"), "\(open)")
        #expect(isNull(open["automatically_finalizes_at"]), "\(open)")
        // A later write catches up the same way: a second file billed only at Jan 6.
        let lateBox = try Sandbox()
        let late = try CLIFixture.standard.copy(into: lateBox)
        try ok(
            ["invoice-items", "create", "--customer", "cus_2", "--currency", "usd", "--amount", "1200"], db: late,
            now: "2026-01-05T00:00:00Z")
        try ok(
            [
                "invoices", "create", "--customer", "cus_2", "--pending-items", "include", "--auto-advance",
                "--id", "in_auto",
            ], db: late, now: "2026-01-05T00:00:00Z")
        try bill(late, now: "2026-01-06T00:00:00Z", created: 0, finalized: 1)
        let caught = try ok(["invoices", "show", "in_auto"], db: late, now: "2026-01-06T00:00:00Z")
        #expect(int64(path(caught, "status_transitions.finalized_at")) == at("2026-01-05T01:00:00Z"), "\(caught)")
    }

    @Test(
        "collection refused, file unchanged: send_invoice without days, days without send_invoice, 3651 days, an unknown method"
    )
    func collectionRefusals() throws {
        let sb = try Sandbox()
        let db = try CLIFixture.standard.copy(into: sb)
        let invoice = ["invoices", "create", "--customer", "cus_1", "--currency", "usd"]
        let subscription = ["subscriptions", "create", "--customer", "cus_1", "--item", "price_licence"]
        for base in [invoice, subscription] {
            try rejected(base + ["--collection-method", "send_invoice"], db: db, codes: [65], code: "invalid_request")
            try rejected(base + ["--days-until-due", "30"], db: db, codes: [65], code: "invalid_request")
            let far = try rejected(
                base + ["--collection-method", "send_invoice", "--days-until-due", "3651"], db: db, codes: [65],
                code: "invalid_request")
            #expect(far.stderr.contains("--days-until-due (days_until_due)"), "\(far.stderr)")
            try rejected(base + ["--collection-method", "invoice_later"], db: db, codes: [65], code: "invalid_request")
            try rejected(
                base + ["--collection-method", "send_invoice", "--days-until-due", "-1"], db: db, codes: [65],
                code: "invalid_request")
        }
        try rejected(
            ["invoices", "finalize", "in_missing", "--auto-advance"], db: db, codes: [65], code: "resource_missing")
    }
}
