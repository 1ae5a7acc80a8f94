import Foundation
import PropertyBased
import Testing

@testable import LedgerKit

@Suite struct CreditsTests {
    let usd = try! Currency(code: "usd")

    /// P3's prices (licence 20000; 100,000 tokens free then 0.1 cent) and a second metered price
    /// at 1 cent a unit on another meter.
    static let catalog = Catalog(
        customers: [.init(id: "cus_e", name: "Enterprise")],
        meters: [
            .init(id: "mtr_tokens", displayName: "Tokens", eventName: "tokens"),
            .init(id: "mtr_calls", displayName: "Calls", eventName: "calls"),
        ],
        products: [.init(id: "prod_pro", name: "Hypernian Pro")],
        prices: [
            .monthly("price_licence", of: "prod_pro", .unit("20000")),
            .monthly(
                "price_usage", of: "prod_pro", meter: "mtr_tokens",
                .tiered(
                    mode: .graduated,
                    tiers: [
                        PriceTier(upTo: 100_000, unitAmount: .zero, flatAmount: nil),
                        PriceTier(upTo: nil, unitAmount: ExactDecimal(parsing: "0.1"), flatAmount: nil),
                    ])),
            .monthly("price_other", of: "prod_pro", meter: "mtr_calls", .unit("1")),
        ])

    /// SCENARIOS.md P4 through the library: every figure, and the journal behind them.
    @Test func prepaidContract() throws {
        let w = try World(Self.catalog)
        let funding = try w.ledger.createInvoice(
            customer: w.customer.id, currency: usd, includePending: false, description: "Hypernian Credits")
        _ = try w.ledger.createInvoiceItem(
            .init(customer: w.customer.id, currency: usd, amount: .whole(10_000_000), invoice: funding.id))
        #expect(try w.ledger.finalizeInvoice(funding.id).amountDue == 10_000_000)
        _ = try w.ledger.payInvoice(funding.id)
        let grant = try w.ledger.createGrant(
            .init(
                customer: w.customer.id, amount: Money(amountMinor: 12_000_000, currency: usd), category: .paid,
                scope: .metered,
                effectiveAt: jan1, expiresAt: try Instant.parse("2027-01-01"), costBasis: 10_000_000,
                fundingInvoice: funding.id))
        _ = try w.ledger.createSubscription(
            .init(customer: w.customer.id, items: [.init(price: w.licence.id), .init(price: w.usage.id)]))
        try w.record("250000", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        let feb = try #require(try w.ledger.invoices(customer: w.customer.id, subscription: nil).last)
        #expect((feb.subtotal, feb.total, feb.amountDue) == (35_000, 20_000, 20_000))
        #expect(feb.lines.map { $0.creditAmounts.map(\.amount) } == [[15_000], []])
        let applied = try w.ledger.creditTransactions(customer: w.customer.id).filter { $0.kind == .creditsApplied }
        #expect(applied.map(\.amount.amountMinor) == [15_000])
        #expect(applied.first?.invoiceLine == feb.lines[0].id)
        let balance = try #require(try w.ledger.creditBalances(customer: w.customer.id).first)
        #expect((balance.ledgerBalance, balance.availableBalance) == (11_985_000, 11_985_000))
        let contract = try #require(try w.ledger.reconcile().first)
        #expect(
            (
                contract.committed, contract.paid, contract.granted, contract.applied, contract.remaining,
                contract.recognized
            )
                == (10_000_000, 10_000_000, 12_000_000, 15_000, 11_985_000, 12_500))
        #expect(contract.balanced)
        // Expiry is exact at the instant even before anything books it.
        let expiry = try Instant.parse("2027-01-01")
        w.clock.set("2027-01-02T00:00:00Z")
        #expect(
            try w.ledger.creditBalances(customer: w.customer.id, asOf: expiry - 1).first?.availableBalance == 11_985_000
        )
        #expect(try w.ledger.creditBalances(customer: w.customer.id, asOf: expiry).first?.availableBalance == 0)
        _ = try w.ledger.bill(until: expiry)
        #expect(
            try w.ledger.creditBalances(customer: w.customer.id, asOf: expiry - 1).first?.ledgerBalance == 11_985_000)
        #expect(try w.ledger.creditBalances(customer: w.customer.id, asOf: expiry).first?.ledgerBalance == 0)
        let expired = try w.ledger.creditTransactions(customer: w.customer.id).filter { $0.kind == .creditsExpired }
        #expect(expired.map { [$0.amount.amountMinor, $0.effectiveAt] } == [[11_985_000, expiry]])
        #expect(try w.ledger.balance(of: .breakage(grant.id)) == [usd: -9_987_500])
        #expect(try w.ledger.balance(of: .creditDiscounts(grant.id)) == [usd: 2_500])
        #expect(try w.ledger.balance(of: .revenue(w.usage.id)) == [usd: -15_000])
        #expect(try w.ledger.balance(of: .prepayments(grant.id)) == [usd: 0])
        #expect(try w.ledger.balance(of: .revenueInvoiceItems) == [usd: 0])
        let after = try #require(try w.ledger.reconcile().first)
        #expect(
            (after.recognized, after.breakage, after.recognized + after.breakage) == (12_500, 9_987_500, 10_000_000))
        #expect(try w.ledger.verify().isEmpty)
    }

    @Test func voidingAnInvoiceReinstatesCreditsAndExpiresThemIfTheGrantHasExpired() throws {
        let w = try World(Self.catalog)
        let promo = try w.ledger.createGrant(
            .init(
                customer: w.customer.id, amount: Money(amountMinor: 500, currency: usd), category: .promotional,
                scope: .metered,
                expiresAt: try Instant.parse("2026-02-10")))
        _ = try w.ledger.createSubscription(.init(customer: w.customer.id, items: [.init(price: w.other.id)]))
        try w.record("300", event: "calls", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        let invoice = try #require(try w.ledger.invoices(customer: w.customer.id).first)
        #expect((invoice.subtotal, invoice.total) == (300, 0))
        #expect(invoice.status == .paid)  // fully covered: nothing due
        #expect(try w.ledger.grantTotals(promo.id).remaining == 200)
        #expect(try w.ledger.balance(of: .promotionalCredits) == [usd: 500])
        // A paid invoice cannot be voided; an open one can. Make one: more usage than credit.
        try w.record("900", event: "calls", at: "2026-02-05T00:00:00Z")
        w.clock.set("2026-03-01T01:00:00Z")
        _ = try w.ledger.bill()
        let march = try #require(try w.ledger.invoices(customer: w.customer.id).last)
        #expect((march.subtotal, march.total, march.status) == (900, 900, .open))  // the grant expired Feb 10
        // Void the first (paid) one is refused; an expired grant's reinstated credit expires again.
        #expect(code { _ = try w.ledger.voidInvoice(invoice.id) } == .invalidTransition)
        w.clock.set("2026-03-02T00:00:00Z")
        _ = try w.ledger.voidInvoice(march.id)
        #expect(try w.ledger.grantTotals(promo.id).remaining == 0)
        #expect(try w.ledger.verify().isEmpty)
    }

    @Test func reinstatedCreditReturnsToItsGrant() throws {
        let w = try World(Self.catalog)
        let grant = try w.ledger.createGrant(
            .init(customer: w.customer.id, amount: Money(amountMinor: 100, currency: usd), scope: .prices([w.other.id]))
        )
        _ = try w.ledger.createSubscription(
            .init(customer: w.customer.id, items: [.init(price: w.licence.id), .init(price: w.other.id)]))
        try w.record("300", event: "calls", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        let feb = try #require(try w.ledger.invoices(customer: w.customer.id).last)
        #expect((feb.subtotal, feb.total) == (20_300, 20_200))
        _ = try w.ledger.voidInvoice(feb.id)
        let totals = try w.ledger.grantTotals(grant.id)
        #expect((totals.granted, totals.applied, totals.reinstated, totals.remaining) == (100, 100, 100, 100))
        #expect(code { _ = try w.ledger.voidGrant(grant.id) } == .grantAlreadyApplied)
        #expect(try w.ledger.verify().isEmpty)
    }

    @Test func grantValidation() throws {
        let w = try World(Self.catalog)
        func grant(_ change: (inout GrantParams) -> Void) -> LedgerError.Code? {
            var params = GrantParams(
                customer: w.customer.id, amount: Money(amountMinor: 100, currency: usd), scope: .metered)
            change(&params)
            return code { _ = try w.ledger.createGrant(params) }
        }
        #expect(grant { _ in } == nil)
        #expect(grant { $0.amount.amountMinor = 0 } == .invalidAmount)
        #expect(grant { $0.amount.amountMinor = -1 } == .invalidAmount)
        #expect(grant { $0.priority = 101 } == .invalidRequest)
        #expect(grant { $0.priority = -1 } == .invalidRequest)
        #expect(
            grant {
                $0.effectiveAt = jan1; $0.expiresAt = jan1
            } == .invalidRequest)
        #expect(grant { $0.scope = .prices([w.licence.id]) } == .invalidRequest)
        #expect(grant { $0.scope = .prices([]) } == .invalidRequest)
        #expect(
            grant {
                $0.category = .promotional; $0.costBasis = 5
            } == .invalidRequest)
        #expect(grant { $0.customer = .init("cus_missing") } == .resourceMissing)
        #expect(
            grant {
                $0.amount.currency = try! Currency(code: "eur"); $0.scope = .prices([w.other.id])
            } == .currencyMismatch)
        // The 101st unused grant.
        for _ in 0..<99 {
            _ = try w.ledger.createGrant(
                .init(customer: w.customer.id, amount: Money(amountMinor: 1, currency: usd), scope: .metered))
        }
        #expect(grant { _ in } == .grantsLimitReached)
    }

    /// Random grants, usage and voids: every grant's movements add up, never below zero, and the
    /// journal balances.
    @Test func grantIdentitiesHoldUnderRandomHistories() async throws {
        let grantGen = zip(Gen.int(in: 1...5_000), Gen.bool, Gen.int(in: 0...3), Gen.int(in: 0...3), Gen.int(in: 0...2))
        let history = zip(grantGen.array(of: 1...5), Gen.int(in: 0...8_000).array(of: 3), Gen.bool.array(of: 3))
        await propertyCheck(count: 25, input: history) { input in
            let (grants, usages, voids) = input
            let w = try! World(Self.catalog)
            var ids: [CreditGrant.ID] = []
            for (amount, promotional, priority, expiryMonth, effectiveMonth) in grants {
                let effective = try! BillingCycle.addMonths(jan1, Int64(effectiveMonth))
                ids.append(
                    try! w.ledger.createGrant(
                        .init(
                            customer: w.customer.id, amount: Money(amountMinor: Int64(amount), currency: usd),
                            category: promotional ? .promotional : .paid,
                            scope: priority % 2 == 0 ? .metered : .prices([w.other.id]), priority: priority * 30,
                            effectiveAt: effective,
                            expiresAt: expiryMonth == 0
                                ? nil : try! BillingCycle.addMonths(effective, Int64(expiryMonth)),
                            costBasis: promotional ? nil : Int64(amount) * 3 / 4)
                    ).id)
            }
            _ = try! w.ledger.createSubscription(
                .init(customer: w.customer.id, items: [.init(price: w.other.id)], graceSeconds: 0))
            for (month, value) in usages.enumerated() where value > 0 {
                try! w.record(
                    String(value), event: "calls",
                    at: Instant.format(try! BillingCycle.addMonths(jan1, Int64(month)) + 86_400))
            }
            w.clock.now = try! BillingCycle.addMonths(jan1, 3)
            _ = try! w.ledger.bill()
            for (invoice, void) in zip(try! w.ledger.invoices(customer: w.customer.id), voids)
            where void && invoice.status == .open {
                _ = try! w.ledger.voidInvoice(invoice.id)
            }
            w.clock.now = try! BillingCycle.addMonths(jan1, 8)
            _ = try! w.ledger.bill()
            for id in ids {
                let t = try! w.ledger.grantTotals(id)
                #expect(t.granted + t.reinstated == t.applied + t.expired + t.voided + t.remaining)
                #expect(t.remaining >= 0)
                #expect(t.applied <= t.granted + t.reinstated)
            }
            #expect(try! w.ledger.trialBalance().values.allSatisfy { $0 == 0 })
            // The sums the grant rows keep, read for instants at or after their last movement,
            // equal the transactions' sums at every month boundary and a second either side.
            for month in 0...9 {
                let boundary = try! BillingCycle.addMonths(jan1, Int64(month))
                for instant in [boundary - 1, boundary, boundary + 1] {
                    let (kept, summed) = try! w.ledger.store.read { tx in
                        (
                            try tx.grantStates(customer: w.customer.id, at: instant),
                            try tx.grantStates(customer: w.customer.id, at: instant, exact: true)
                        )
                    }
                    #expect(
                        kept.map(\.totals) == summed.map(\.totals) && kept.map(\.hasLater) == summed.map(\.hasLater))
                    #expect(kept.map(\.signed) == summed.map(\.signed))
                }
            }
            #expect(try! w.ledger.verify().isEmpty, "\(try! w.ledger.verify())")
            let contracts = try! w.ledger.reconcile()
            #expect(
                contracts.allSatisfy { $0.balanceDifference == 0 && $0.costDifference == 0 },
                "\(contracts.map(\.differences))")
        }
    }

    /// Two invoices finalizing at once (two connections, two threads) never spend one credit twice.
    @Test func concurrentFinalizationsNeverDoubleSpend() async throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let w = try World(Self.catalog, location: location)
        let grant = try w.ledger.createGrant(
            .init(customer: w.customer.id, amount: Money(amountMinor: 1_000, currency: usd), scope: .metered))
        var drafts: [Invoice.ID] = []
        for _ in 0..<2 {
            _ = try w.ledger.createSubscription(.init(customer: w.customer.id, items: [.init(price: w.other.id)]))
        }
        try w.record("800", event: "calls", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-02-01T00:00:00Z")
        _ = try w.ledger.bill()
        drafts = try w.ledger.invoices(customer: w.customer.id, status: .draft).map(\.id)
        #expect(drafts.count == 2)
        try await withThrowingTaskGroup(of: Invoice.self) { group in
            for draft in drafts {
                group.addTask {
                    try location.open(clock: { try! Instant.parse("2026-02-01T00:30:00Z") }).finalizeInvoice(draft)
                }
            }
            for try await _ in group {}
        }
        let totals = try w.ledger.grantTotals(grant.id)
        #expect((totals.applied, totals.remaining) == (1_000, 0))
        let credited = try w.ledger.invoices(customer: w.customer.id).map { $0.subtotal - $0.total }.sorted()
        #expect(credited == [200, 800])
        #expect(try w.ledger.verify().isEmpty)
    }
}

extension World {
    /// 1 cent a call.
    fileprivate var other: Price { price("price_other") }
}
