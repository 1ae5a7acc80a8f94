import Foundation
import PropertyBased
import Testing

@testable import LedgerKit

/// The edges where numbers must still be trusted: a line that overflows, credit held by several
/// drafts, scoped balances, writes racing a due step, breakage dated at expiry, the clock.
@Suite struct TrustTests {
    let usd = try! Currency(code: "usd")
    let eur = try! Currency(code: "eur")

    /// Customers `cus_a` and `cus_b`; `price_usage` is 1 cent a unit on `mtr_u`, `price_licence`
    /// 1000 a month.
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_a", "cus_b"]),
        meters: [.init(id: "mtr_u", displayName: "Units", eventName: "units")],
        products: [.init(id: "prod_p", name: "Product")],
        prices: [
            .monthly("price_usage", of: "prod_p", meter: "mtr_u", .unit("1")),
            .monthly("price_licence", of: "prod_p", .unit("1000")),
        ])

    func t(_ iso: String) -> Int64 { try! Instant.parse(iso) }

    // MARK: 1. One line's overflow

    /// A 13-digit unit amount times a usage sum with 12 decimals: 40 exact digits, billed to the
    /// cent (it used to stop the whole run with amount_overflow).
    @Test func aLineWiderThan38DigitsIsBilledExactly() throws {
        let w = try World(Self.catalog)
        let wide = try w.meteredPrice("price_wide", unit: "1.123456789012")
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: wide.id)]))
        try w.record("923456789012345", customer: "cus_a", at: "2026-01-10T00:00:00Z")
        try w.record("0.123456789012", customer: "cus_a", at: "2026-01-11T00:00:00Z")
        w.clock.set("2026-02-01T01:00:00Z")
        let report = try w.ledger.bill()
        #expect(report.failures.isEmpty)
        let invoice = try #require(try w.ledger.invoices(customer: "cus_a").first)
        #expect(invoice.status == .open)
        #expect(invoice.lines.map(\.amount) == [1_037_463_798_975_141])
        #expect(invoice.lines.first?.quantity == ExactDecimal(parsing: "923456789012345.123456789012"))
        #expect(try w.ledger.verify().isEmpty)
    }

    /// A line that truly does not fit 64 bits fails its own invoice, visibly, and nobody else's.
    @Test func aLineThatDoesNotFitFailsOnlyItsInvoice() throws {
        let w = try World(Self.catalog)
        let huge = try w.meteredPrice("price_huge", unit: "99999999999999999999")
        _ = try w.ledger.createSubscription(.init(id: "sub_a", customer: "cus_a", items: [.init(price: huge.id)]))
        _ = try w.ledger.createSubscription(.init(id: "sub_b", customer: "cus_b", items: [.init(price: w.usage.id)]))
        try w.record("999999999999999", customer: "cus_a", at: "2026-01-10T00:00:00Z")
        try w.record("250", customer: "cus_b", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-03-01T01:00:00Z")
        let report = try w.ledger.bill()
        let failed = try #require(try w.ledger.invoices(customer: "cus_a").first)
        #expect(report.failures.map(\.invoice) == [failed.id])
        #expect(report.failures.first?.code == .amountOverflow)
        #expect(report.failures.first?.at == t("2026-02-01T01:00:00Z"))
        #expect(failed.status == .draft)
        #expect(failed.failure?.code == "amount_overflow")
        #expect(failed.failure?.failedAt == t("2026-02-01T01:00:00Z"))
        // Everyone else is billed, in both periods, and numbered without a gap.
        let billed = try w.ledger.invoices(customer: "cus_b")
        #expect(billed.map(\.status) == [.open, .paid])
        #expect(billed.first?.total == 250)
        let numbers = try w.ledger.invoices().compactMap(\.number).sorted()
        #expect(numbers == ["INV-000001", "INV-000002", "INV-000003"])
        // cus_a's February draft holds nothing, so it finalizes (paid at 0); January's stays.
        #expect(try w.ledger.invoices(customer: "cus_a").map(\.status) == [.draft, .paid])
        // verify names it until it is dealt with; bill does not retry it.
        let findings = try w.ledger.verify()
        #expect(findings.map(\.check) == ["invoice_not_finalized"])
        #expect(findings.first?.detail.contains(failed.id.rawValue) == true)
        #expect(try w.ledger.bill().failures.isEmpty)
        #expect(code { _ = try w.ledger.finalizeInvoice(failed.id) } == .amountOverflow)
        // Deleting it clears the finding.
        _ = try w.ledger.deleteInvoice(failed.id)
        #expect(try w.ledger.verify().isEmpty)
    }

    // MARK: 2. Drafts hold credit one after the other

    @Test func twoDraftsNeverHoldMoreThanTheGrantHas() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        let second = try w.meteredPrice("price_second", unit: "1")
        let first = try w.ledger.createGrant(
            .init(
                id: "credgr_first", customer: "cus_a", amount: Money(amountMinor: 500, currency: usd), scope: .metered,
                priority: 0))
        let backup = try w.ledger.createGrant(
            .init(
                id: "credgr_backup", customer: "cus_a", amount: Money(amountMinor: 300, currency: usd), scope: .metered,
                priority: 10))
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: w.usage.id)]))
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: second.id)]))
        try w.record("400", customer: "cus_a", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-02-01T00:30:00Z")
        _ = try w.ledger.bill()  // both periods closed: two drafts of 400 each, in the grace hour
        #expect(try w.ledger.invoices(customer: "cus_a").map(\.status) == [.draft, .draft])
        // The first draft takes 400 of the first grant; the second the last 100 and 300 of the backup.
        #expect(try w.ledger.creditBalances(customer: "cus_a", grant: first.id).first?.availableBalance == 0)
        #expect(try w.ledger.creditBalances(customer: "cus_a", grant: backup.id).first?.availableBalance == 0)
        let all = try #require(try w.ledger.creditBalances(customer: "cus_a").first)
        #expect((all.ledgerBalance, all.availableBalance) == (800, 0))
        // And that is exactly what finalization takes.
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        #expect(try w.ledger.grantTotals(first.id).remaining == 0)
        #expect(try w.ledger.grantTotals(backup.id).remaining == 0)
        #expect(try w.ledger.invoices(customer: "cus_a").map(\.total) == [0, 0])
    }

    /// Random grants and drafts: what the drafts hold (available before finalizing) is what the
    /// grants have left after they finalize, grant by grant.
    @Test func heldCreditIsWhatFinalizationTakes() async {
        let grantGen = zip(Gen.int64(in: 1...600), Gen.int(in: 0...3), Gen.bool)
        await propertyCheck(
            count: 40, input: grantGen.array(of: 1...4), Gen.int(in: 1...3), Gen.int64(in: 0...700)
        ) { grants, subscriptions, usage in
            let w = try! World(Self.catalog.with(customers: ["cus_a"]))
            let scoped = try! w.meteredPrice("price_scoped", unit: "1")
            var ids: [CreditGrant.ID] = []
            for (index, (amount, priority, onlyScoped)) in grants.enumerated() {
                ids.append(
                    try! w.ledger.createGrant(
                        .init(
                            id: "credgr_\(index)", customer: "cus_a", amount: Money(amountMinor: amount, currency: usd),
                            scope: onlyScoped ? .prices([scoped.id]) : .metered, priority: priority)
                    ).id)
            }
            for index in 0..<subscriptions {
                _ = try! w.ledger.createSubscription(
                    .init(customer: "cus_a", items: [.init(price: index == 0 ? scoped.id : w.usage.id)]))
            }
            // One meter: every subscription bills the same usage, each on its own draft.
            try! w.record(String(usage), customer: "cus_a", at: "2026-01-10T00:00:00Z")
            w.clock.set("2026-02-01T00:30:00Z")
            _ = try! w.ledger.bill()
            w.clock.set("2026-02-01T01:00:00Z")  // due, not yet run
            let held = ids.map { try! w.ledger.creditBalances(customer: "cus_a", grant: $0).first!.availableBalance }
            let total = try! w.ledger.creditBalances(customer: "cus_a").first!
            #expect(total.availableBalance >= 0)
            #expect(total.availableBalance == held.reduce(0, +))
            _ = try! w.ledger.bill()
            let after = ids.map { try! w.ledger.grantTotals($0).remaining }
            #expect(held == after)
        }
    }

    // MARK: 3. balance --scope-price

    @Test func aScopedBalanceCountsOnlyGrantsThatCouldPayThePrice() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        let euro = try w.meteredPrice("price_eur", unit: "1", currency: eur)
        let other = try w.meteredPrice("price_other", unit: "1")
        _ = try w.ledger.createGrant(
            .init(customer: "cus_a", amount: Money(amountMinor: 700, currency: usd), scope: .metered))
        _ = try w.ledger.createGrant(
            .init(customer: "cus_a", amount: Money(amountMinor: 50, currency: usd), scope: .prices([w.usage.id])))
        let scoped = { (price: Price) in
            try w.ledger.creditBalances(customer: "cus_a", price: price.id).map {
                [$0.currency.code, String($0.ledgerBalance), String($0.availableBalance)]
            }
        }
        #expect(try scoped(w.usage) == [["usd", "750", "750"]])
        #expect(try scoped(other) == [["usd", "700", "700"]])
        #expect(try scoped(w.licence) == [["usd", "0", "0"]])  // licensed: no grant pays it
        #expect(try scoped(euro) == [["eur", "0", "0"]])  // another currency
        #expect(code { _ = try w.ledger.creditBalances(customer: "cus_a", price: "price_nope") } == .resourceMissing)
    }

    /// Random grants and a random price: the scoped balance is the sum over exactly the grants
    /// that could pay it (a brute-force reading of the rule).
    @Test func scopedBalancesMatchTheRuleForRandomGrants() async {
        let grantGen = zip(Gen.int64(in: 1...500), Gen.int(in: 0...3), Gen.bool)
        await propertyCheck(count: 25, input: grantGen.array(of: 0...5), Gen.int(in: 0...3)) { grants, pick in
            let w = try! World(Self.catalog.with(customers: ["cus_a"]))
            let euro = try! w.meteredPrice("price_eur", unit: "1", currency: eur)
            let other = try! w.meteredPrice("price_other", unit: "1")
            let metered = [w.usage, other, euro]
            for (amount, scope, inEuro) in grants {
                let currency = inEuro ? eur : usd
                let scoped: CreditGrant.Scope =
                    scope == 0 ? .metered : .prices([inEuro ? euro.id : (scope == 1 ? w.usage.id : other.id)])
                _ = try! w.ledger.createGrant(
                    .init(customer: "cus_a", amount: Money(amountMinor: amount, currency: currency), scope: scoped))
            }
            let asked = pick == 3 ? w.licence : metered[pick]
            var expected: Int64 = 0
            for (amount, scope, inEuro) in grants where asked.recurring?.usageType == .metered {
                guard (inEuro ? eur : usd) == asked.currency else { continue }
                let ids = scope == 0 ? nil : [inEuro ? euro.id : (scope == 1 ? w.usage.id : other.id)]
                if ids == nil || ids!.contains(asked.id) { expected += amount }
            }
            let balances = try! w.ledger.creditBalances(customer: "cus_a", price: asked.id)
            #expect(balances.map(\.currency) == [asked.currency])
            #expect(balances.first?.availableBalance == expected)
            #expect(balances.first?.ledgerBalance == expected)
        }
    }

    // MARK: 4. Writes racing a due step

    @Test func cancellingAfterTheScheduledFinalizationIsRefusedAsIfBillHadRun() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: w.usage.id)]))
        try w.record("100", customer: "cus_a", at: "2026-01-10T00:00:00Z", id: "e-1")
        try w.record("40", customer: "cus_a", at: "2026-01-11T00:00:00Z", id: "e-2")
        // Within the grace hour the period is closed but the draft not final: a cancel counts.
        w.clock.set("2026-02-01T00:30:00Z")
        _ = try w.ledger.cancelEvent(eventName: "units", identifier: "e-2")
        // At the finalization instant, with no bill run: as if it had run.
        w.clock.set("2026-02-01T01:00:00Z")
        #expect(code { _ = try w.ledger.cancelEvent(eventName: "units", identifier: "e-1") } == .eventAlreadyInvoiced)
        _ = try w.ledger.bill()
        let invoice = try #require(try w.ledger.invoices(customer: "cus_a").first)
        #expect(invoice.status == .open)
        #expect(invoice.total == 100)
        #expect(try w.ledger.event(identifier: "e-1").cancelledAt == nil)
    }

    @Test func writesAfterADueStepSeeItDone() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: w.usage.id)]))
        let grant = try w.ledger.createGrant(
            .init(customer: "cus_a", amount: Money(amountMinor: 30, currency: usd), scope: .metered))
        try w.record("100", customer: "cus_a", at: "2026-01-10T00:00:00Z")
        // Past the finalization instant, nobody ran bill. The grant was applied then: no void.
        w.clock.set("2026-02-01T02:00:00Z")
        #expect(code { _ = try w.ledger.voidGrant(grant.id) } == .grantAlreadyApplied)
        // An item created now missed February's boundary invoice: it waits for March's.
        let item = try w.ledger.createInvoiceItem(
            .init(customer: "cus_a", currency: usd, amount: .whole(55), description: "setup"))
        let january = try #require(try w.ledger.invoices(customer: "cus_a").first)
        #expect(january.status == .open)
        #expect(january.total == 70)
        #expect(january.lines.map(\.amount) == [100])
        #expect(try w.ledger.invoiceItems(customer: "cus_a").first { $0.id == item.id }?.invoice == nil)
        // An event for January recorded now is late, at once.
        try w.record(
            "5", customer: "cus_a", at: "2026-01-31T00:00:00Z", recordedAt: "2026-02-01T02:00:00Z", id: "late-1")
        #expect(try w.ledger.event(identifier: "late-1").late)
        w.clock.set("2026-03-01T01:00:00Z")
        _ = try w.ledger.bill()
        let march = try #require(try w.ledger.invoices(customer: "cus_a").last)
        #expect(march.lines.map(\.amount) == [0, 55])
    }

    // MARK: 5. Breakage at expires_at

    /// A paid grant expires, then an invoice it paid is voided: the journal at every instant is
    /// the same whether bill ran at the expiry or not.
    @Test func breakageIsDatedAtExpiryWhetherOrNotBillRan() throws {
        func history(billAtExpiry: Bool) throws -> (Ledger, [AccountBalance], [AccountBalance]) {
            let w = try World(Self.catalog.with(customers: ["cus_a"]))
            _ = try w.ledger.createGrant(
                .init(
                    id: "credgr_paid", customer: "cus_a", amount: Money(amountMinor: 1_000, currency: usd),
                    category: .paid,
                    scope: .metered,
                    expiresAt: t("2026-02-15T00:00:00Z"), costBasis: 800))
            _ = try w.ledger.createSubscription(
                .init(customer: "cus_a", items: [.init(price: w.licence.id), .init(price: w.usage.id)]))
            try w.record("300", customer: "cus_a", at: "2026-01-10T00:00:00Z")
            w.clock.set("2026-02-01T01:00:00Z")
            _ = try w.ledger.bill()
            if billAtExpiry {
                w.clock.set("2026-02-15T00:00:00Z")
                _ = try w.ledger.bill()
            }
            // February's invoice: usage 300 paid by credit, the next licence 1000 due.
            let february = try #require(try w.ledger.invoices(customer: "cus_a").last)
            #expect((february.status, february.subtotal, february.total) == (.open, 1_300, 1_000))
            w.clock.set("2026-02-20T00:00:00Z")
            _ = try w.ledger.voidInvoice(february.id)
            let between = try w.ledger.accountBalances(asOf: t("2026-02-16T00:00:00Z"))
            let end = try w.ledger.accountBalances()
            return (w.ledger, between, end)
        }
        let (ran, ranBetween, ranEnd) = try history(billAtExpiry: true)
        let (skipped, skippedBetween, skippedEnd) = try history(billAtExpiry: false)
        #expect(ranBetween == skippedBetween)
        #expect(ranEnd == skippedEnd)
        // 300 of 1000 applied: 240 of the 800 paid recognized, 560 broken at expiry; the void
        // gives the 240 back, and it breaks at the void.
        for ledger in [ran, skipped] {
            #expect(try ledger.balance(of: .breakage("credgr_paid"), asOf: t("2026-02-15T00:00:00Z")) == [usd: -560])
            #expect(try ledger.balance(of: .breakage("credgr_paid")) == [usd: -800])
            #expect(try ledger.verify().isEmpty)
        }
    }

    // MARK: 7–9. The clock

    @Test func billingBeyondNowIsRefused() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        let error = #expect(throws: LedgerError.self) { _ = try w.ledger.bill(until: jan1 + 1) }
        #expect(error?.code == .invalidRequest)
        #expect(error?.message.contains("2026-01-01T00:00:00Z") == true)
        #expect(try w.ledger.bill(until: jan1) == BillReport())
    }

    @Test func aWriteBeforeWhatTheFileProcessedIsAClockRegression() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let w = try World(Self.catalog.with(customers: ["cus_a"]), location: location)
        _ = try w.ledger.createSubscription(.init(customer: "cus_a", items: [.init(price: w.usage.id)]))
        try w.record("10", customer: "cus_a", at: "2026-01-20T00:00:00Z")
        let before = try w.ledger.dump()
        w.clock.set("2026-01-19T00:00:00Z")
        #expect(code { try w.record("1", customer: "cus_a", at: "2026-01-19T00:00:00Z") } == .clockRegression)
        w.clock.set("2026-01-19T00:00:00Z")
        #expect(code { _ = try w.ledger.bill() } == .clockRegression)
        #expect(
            code {
                _ = try w.ledger.createGrant(
                    .init(customer: "cus_a", amount: Money(amountMinor: 5, currency: usd), scope: .metered))
            }
                == .clockRegression)
        #expect(try w.ledger.dump() == before)
        // An explicit override lets it through.
        let override = try location.open(clock: { w.clock.now }, allowClockRegression: true)
        _ = try override.createGrant(
            .init(customer: "cus_a", amount: Money(amountMinor: 5, currency: usd), scope: .metered))
    }

    @Test func readsDefaultToNowNotToEverythingInTheFile() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        _ = try w.ledger.createGrant(
            .init(
                id: "credgr_later", customer: "cus_a", amount: Money(amountMinor: 900, currency: usd),
                category: .promotional,
                scope: .metered, effectiveAt: t("2026-03-01T00:00:00Z")))
        #expect(try w.ledger.accountBalances().isEmpty)
        #expect(try w.ledger.balance(of: .promotionalCredits).isEmpty)
        #expect(try w.ledger.creditTransactions(customer: "cus_a").isEmpty)
        w.clock.set("2026-03-01T00:00:00Z")
        #expect(try w.ledger.balance(of: .promotionalCredits) == [usd: 900])
        #expect(try w.ledger.creditTransactions(customer: "cus_a").map(\.kind) == [.creditsGranted])
    }

    @Test func aGrantCannotExpireInThePast() throws {
        let w = try World(Self.catalog.with(customers: ["cus_a"]))
        w.clock.set("2026-01-10T00:00:00Z")
        #expect(
            code {
                _ = try w.ledger.createGrant(
                    .init(
                        customer: "cus_a", amount: Money(amountMinor: 5, currency: usd), scope: .metered,
                        effectiveAt: jan1,
                        expiresAt: t("2026-01-05T00:00:00Z")))
            } == .invalidRequest)
        let grant = try w.ledger.createGrant(
            .init(customer: "cus_a", amount: Money(amountMinor: 5, currency: usd), scope: .metered))
        #expect(
            code { _ = try w.ledger.updateGrant(grant.id, expiresAt: .some(t("2026-01-09T00:00:00Z")), metadata: nil) }
                == .invalidRequest)
        _ = try w.ledger.updateGrant(grant.id, expiresAt: .some(t("2026-01-11T00:00:00Z")), metadata: nil)
    }
}
