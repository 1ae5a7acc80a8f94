import Foundation
import Testing

@testable import LedgerKit

@Suite struct BillingTests {
    let usd = try! Currency(code: "usd")

    /// P2's prices: licence 10000 a month, graduated usage 0–1000 free then 4 a token.
    static let catalog = Catalog(
        customers: [.init(id: "cus_1", name: "John Doe")],
        meters: [.init(id: "mtr_tokens", displayName: "Tokens", eventName: "hypernian_tokens")],
        products: [.init(id: "prod_hyp", name: "Hypernian")],
        prices: [
            .monthly("price_licence", of: "prod_hyp", .unit("10000")),
            .monthly(
                "price_usage", of: "prod_hyp", meter: "mtr_tokens",
                .tiered(
                    mode: .graduated,
                    tiers: [
                        PriceTier(upTo: 1000, unitAmount: .zero, flatAmount: nil),
                        PriceTier(upTo: nil, unitAmount: ExactDecimal(4), flatAmount: nil),
                    ])),
        ])

    /// SCENARIOS.md P2 through the library, with the journal it posts.
    @Test func flatFeeAndOveragesPostsTheJournal() throws {
        let w = try World(Self.catalog)
        let (sub, first) = try w.ledger.createSubscription(
            .init(
                customer: w.customer.id, items: [.init(price: w.licence.id, quantity: 1), .init(price: w.usage.id)]))
        let invoice1 = try #require(first)
        #expect(invoice1.lines.map(\.amount) == [10_000])
        #expect((invoice1.status, invoice1.number, invoice1.amountDue) == (.open, "INV-000001", 10_000))
        #expect(sub.currentPeriodEnd == (try Instant.parse("2026-02-01")))
        try w.record("3000", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        let report = try w.ledger.bill()
        #expect((report.invoicesCreated, report.invoicesFinalized) == (1, 1))
        let invoices = try w.ledger.invoices(customer: w.customer.id)
        #expect(invoices.count == 2)
        let feb = invoices[1]
        #expect(feb.lines.map(\.amount) == [8_000, 10_000])
        #expect(feb.lines[0].quantity == ExactDecimal(3000))
        #expect((feb.lines[0].periodStart, feb.lines[0].periodEnd) == (jan1, try Instant.parse("2026-02-01")))
        #expect(
            (feb.lines[1].periodStart, feb.lines[1].periodEnd) == (
                try Instant.parse("2026-02-01"), try Instant.parse("2026-03-01")
            ))
        #expect((feb.subtotal, feb.total, feb.amountDue, feb.number) == (18_000, 18_000, 18_000, "INV-000002"))
        #expect(feb.finalizedAt == (try Instant.parse("2026-02-01T01:00:00Z")))
        // Receivable 28000 against revenue per price.
        #expect(try w.ledger.balance(of: .receivable(w.customer.id)) == [usd: 28_000])
        #expect(try w.ledger.balance(of: .subscriptionRevenue(w.licence.id)) == [usd: -20_000])
        #expect(try w.ledger.balance(of: .revenue(w.usage.id)) == [usd: -8_000])
        _ = try w.ledger.payInvoice(feb.id)
        #expect(try w.ledger.balance(of: .cash) == [usd: 18_000])
        #expect(try w.ledger.balance(of: .receivable(w.customer.id)) == [usd: 10_000])
        #expect(try w.ledger.verify().isEmpty)
        // Idempotent.
        let again = try w.ledger.bill()
        #expect((again.invoicesCreated, again.invoicesFinalized) == (0, 0))
    }

    @Test func lifecycleTransitionsAndTheirEntries() throws {
        let w = try World(Self.catalog)
        let (_, first) = try w.ledger.createSubscription(
            .init(customer: w.customer.id, items: [.init(price: w.licence.id, quantity: 3)]))
        let open = try #require(first)
        #expect(open.total == 30_000)
        #expect(code { _ = try w.ledger.finalizeInvoice(open.id) } == .invalidTransition)
        #expect(code { _ = try w.ledger.deleteInvoice(open.id) } == .invalidTransition)
        _ = try w.ledger.markUncollectible(open.id)
        #expect(try w.ledger.balance(of: .uncollectible) == [usd: 30_000])
        #expect(code { _ = try w.ledger.markUncollectible(open.id) } == .invalidTransition)
        let voided = try w.ledger.voidInvoice(open.id)
        #expect(voided.status == .void)
        #expect(try w.ledger.balance(of: .uncollectible) == [usd: 0])
        #expect(try w.ledger.balance(of: .subscriptionRevenue(w.licence.id)) == [usd: 0])
        #expect(try w.ledger.balance(of: .receivable(w.customer.id)) == [usd: 0])
        for op in [{ _ = try w.ledger.payInvoice(open.id) }, { _ = try w.ledger.voidInvoice(open.id) }] {
            #expect(code(op) == .invalidTransition)
        }
        let manual = try w.ledger.createInvoice(
            customer: w.customer.id, currency: usd, includePending: false, description: nil)
        #expect(code { _ = try w.ledger.payInvoice(manual.id) } == .invalidTransition)
        #expect(code { _ = try w.ledger.voidInvoice(manual.id) } == .invalidTransition)
        _ = try w.ledger.createInvoiceItem(
            .init(customer: w.customer.id, currency: usd, amount: .whole(500), invoice: manual.id))
        let finalized = try w.ledger.finalizeInvoice(manual.id)
        #expect((finalized.status, finalized.total, finalized.number) == (.open, 500, "INV-000002"))
        #expect(
            code {
                _ = try w.ledger.createInvoiceItem(
                    .init(customer: w.customer.id, currency: usd, amount: .whole(1), invoice: manual.id))
            } == .invoiceNotEditable)
        _ = try w.ledger.payInvoice(manual.id)
        #expect(code { _ = try w.ledger.voidInvoice(manual.id) } == .invalidTransition)
        #expect(try w.ledger.trialBalance().values.allSatisfy { $0 == 0 })
        #expect(try w.ledger.verify().isEmpty)
    }

    @Test func graceLetsLateRecordedUsageCountAndFlagsWhatComesAfter() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(.init(customer: w.customer.id, items: [.init(price: w.usage.id)]))
        try w.record("1500", at: "2026-01-31T23:30:00Z", recordedAt: "2026-02-01T00:30:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        let jan = try #require(try w.ledger.invoices(customer: w.customer.id).first)
        #expect(jan.lines.map(\.amount) == [2_000])
        try w.record("5000", at: "2026-01-20T00:00:00Z", recordedAt: "2026-02-01T02:00:00Z", id: "late-1")
        #expect(try w.ledger.event(identifier: "late-1").late)
        #expect(try w.ledger.invoice(jan.id).lines.map(\.amount) == [2_000])
        // A late event was never billed, so it can be cancelled.
        #expect(code { _ = try w.ledger.cancelEvent(eventName: "hypernian_tokens", identifier: "late-1") } == nil)
    }

    @Test func eventsBilledOnAFinalizedInvoiceCannotBeCancelled() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(.init(customer: w.customer.id, items: [.init(price: w.usage.id)]))
        try w.record("1500", at: "2026-01-10T00:00:00Z", id: "e1")
        w.clock.set("2026-02-01T00:30:00Z")
        _ = try w.ledger.bill()
        // The draft is open to changes until it finalizes.
        #expect(code { _ = try w.ledger.cancelEvent(eventName: "hypernian_tokens", identifier: "e1") } == nil)
        try w.record("1500", at: "2026-01-11T00:00:00Z", recordedAt: "2026-02-01T00:40:00Z", id: "e2")
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try w.ledger.invoices(customer: w.customer.id)[0].lines.map(\.amount) == [2_000])
        #expect(
            code { _ = try w.ledger.cancelEvent(eventName: "hypernian_tokens", identifier: "e2") }
                == .eventAlreadyInvoiced)
    }

    @Test func previewWritesNothing() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(
            .init(customer: w.customer.id, items: [.init(price: w.licence.id), .init(price: w.usage.id)]))
        try w.record("3000", at: "2026-01-10T00:00:00Z")
        _ = try w.ledger.createInvoiceItem(.init(customer: w.customer.id, currency: usd, amount: .whole(99)))
        let before = try w.ledger.dump()
        w.clock.set("2026-01-20T00:00:00Z")
        let preview = try w.ledger.previewInvoice(subscription: sub.id)
        #expect(preview.lines.map(\.amount) == [8_000, 10_000, 99])
        #expect(preview.status == .draft)
        #expect(try w.ledger.dump() == before)
    }

    @Test func billingInStepsEqualsOneRun() throws {
        func run(_ steps: [String]) throws -> [[Int64]] {
            let w = try World(Self.catalog)
            _ = try w.ledger.createSubscription(
                .init(
                    customer: w.customer.id, items: [.init(price: w.licence.id), .init(price: w.usage.id)],
                    billingCycleAnchor: try Instant.parse("2026-01-31")))
            try w.record("2500", at: "2026-01-20T00:00:00Z")
            for step in steps {
                w.clock.set(step)
                _ = try w.ledger.bill()
                if step == "2026-02-10T00:00:00Z" { try w.record("4000", at: step) }
            }
            return try w.ledger.invoices().map {
                [$0.periodStart, $0.periodEnd, $0.total, $0.status == .open ? 1 : 0] + $0.lines.map(\.amount)
            }
        }
        // February's usage is recorded as it happens; bill runs once at the end, or at every step.
        let once = try run(["2026-02-10T00:00:00Z", "2026-04-01T00:00:00Z"])
        let steps = try run([
            "2026-01-31T00:00:00Z", "2026-01-31T00:59:59Z", "2026-02-10T00:00:00Z", "2026-02-15T00:00:00Z",
            "2026-02-28T01:00:00Z", "2026-04-01T00:00:00Z",
        ])
        #expect(once == steps)
        #expect(once.count == 4)  // creation (Jan 1–31 stub), Jan 31, Feb 28, Mar 31
        #expect(once[1][2] == 6_000 + 10_000)
    }

    /// Two billing runs at once on one ledger: numbers stay gapless, no period is billed twice.
    @Test func concurrentRunsKeepNumbersGapless() async throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let w = try World(Self.catalog, location: location)
        for i in 0..<30 {
            let customer = try w.ledger.createCustomer(.init(id: "cus_c\(i)"))
            _ = try w.ledger.createSubscription(
                .init(customer: customer.id, items: [.init(price: w.licence.id)], graceSeconds: 0))
        }
        let until = try Instant.parse("2026-04-01T00:00:00Z")
        try await withThrowingTaskGroup(of: BillReport.self) { group in
            for _ in 0..<2 {
                group.addTask { try location.open().bill(until: until) }
            }
            for try await _ in group {}
        }
        let invoices = try w.ledger.invoices()
        #expect(invoices.count == 30 * 4)
        #expect(invoices.compactMap(\.number).sorted() == (1...120).map(Invoice.number))
        #expect(Set(invoices.map { "\($0.subscription!)-\($0.periodEnd)" }).count == 120)
        #expect(try w.ledger.verify().isEmpty)
    }
}
