import Foundation
import Testing

@testable import LedgerKit

/// Review of recurring allowances: scenarios where a period's grant settles before the invoice of
/// its own period finalizes, and reads that now need the write lock.
@Suite struct AllowanceReviewTests {
    static let usd = try! Currency(code: "usd")
    /// One cent a token on `mtr_tokens`; a licence; a huge unit price on a second meter.
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [
            .init(id: "mtr_tokens", displayName: "Tokens", eventName: "tokens"),
            .init(id: "mtr_huge", displayName: "Huge", eventName: "huge"),
        ],
        products: [.init(id: "prod_1", name: "Product")],
        prices: [
            .monthly("price_tokens", of: "prod_1", meter: "mtr_tokens", .unit("1")),
            .monthly("price_huge", of: "prod_1", meter: "mtr_huge", .unit("99999999999999999999")),
            .monthly("price_licence", of: "prod_1", .unit("1000")),
        ])

    func t(_ iso: String) -> Int64 { try! Instant.parse(iso) }

    func allowance(_ w: World, _ sub: Subscription.ID, rollover: Int64? = nil) throws -> Allowance {
        try w.ledger.createAllowance(
            .init(subscription: sub, amount: Money(amountMinor: 10000, currency: Self.usd), rolloverMax: rollover)
        ).0
    }

    func cycleInvoice(_ w: World, endingAt end: Int64) throws -> Invoice {
        try #require(
            try w.ledger.invoices(customer: "cus_1").first {
                $0.billingReason == .subscriptionCycle && $0.periodEnd == end
            })
    }

    // MARK: 1. Immediate cancel in the grace hour, final invoice finalized at once

    /// January's 40.00 of usage is January's allowance's to pay. The subscription is canceled
    /// at 00:10 on Feb 1, in the grace hour of January's invoice, and the final invoice is
    /// finalized right away (`invoices finalize`): that settles *every* open grant, January's
    /// included, though January's invoice is still a draft. At 01:00 January's invoice finalizes
    /// with no credit.
    @Test func finalizingTheCancelInvoiceInTheGraceHourSettlesJanuarysGrantBeforeJanuarysInvoice() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        _ = try allowance(w, sub.id)
        try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T00:10:00Z")
        let (_, final) = try w.ledger.cancelSubscription(sub.id)
        let finalInvoice = try #require(final)
        _ = try w.ledger.finalizeInvoice(finalInvoice.id)
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let january = try cycleInvoice(w, endingAt: t("2026-02-01T00:00:00Z"))
        #expect(january.status != .draft)
        #expect(january.total == 0, "January's usage is paid by January's allowance")
    }

    /// The same through `deleteInvoice`: deleting the (final) cancel draft in the grace hour
    /// settles January's grant too.
    @Test func deletingTheCancelDraftInTheGraceHourSettlesJanuarysGrantBeforeJanuarysInvoice() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        _ = try allowance(w, sub.id)
        try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T00:10:00Z")
        let (_, final) = try w.ledger.cancelSubscription(sub.id)
        _ = try w.ledger.deleteInvoice(try #require(final).id)
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let january = try cycleInvoice(w, endingAt: t("2026-02-01T00:00:00Z"))
        #expect(january.total == 0, "January's usage is paid by January's allowance")
    }

    /// Without any manual step: the metered item is removed from February on (subscription
    /// update), the subscription is canceled at 00:30 on Feb 1 in January's grace hour. The
    /// cancel bills nothing (licence only, nothing in arrears), so `cancelSubscription` settles
    /// every open grant at once, January's included, and January's invoice (its 40.00 of usage)
    /// finalizes at 01:00 without the allowance.
    @Test func immediateCancelWithNothingToBillInTheGraceHourSettlesJanuarysGrantEarly() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: [.init(price: "price_licence"), .init(price: "price_tokens")]))
        _ = try allowance(w, sub.id)
        try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-01-20T00:00:00Z")
        let metered = try #require(sub.items.first { $0.price == "price_tokens" })
        _ = try w.ledger.updateSubscription(sub.id, .init(removeItems: [metered.id]))
        w.clock.set("2026-02-01T00:30:00Z")
        let (_, final) = try w.ledger.cancelSubscription(sub.id)
        #expect(final == nil)
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let january = try cycleInvoice(w, endingAt: t("2026-02-01T00:00:00Z"))
        let usage = try #require(january.lines.first { $0.price == "price_tokens" })
        #expect(usage.amount == 4000)
        #expect(usage.creditAmounts.map(\.amount).reduce(0, +) == 4000, "January's allowance pays January's usage")
    }

    // MARK: 2. A later invoice settles an earlier period's grant

    /// Daily subscription with a 2-day grace: on Jan 3 01:00 the drafts of Jan 1 and Jan 2 are
    /// both open. Finalizing Jan 2's now (`invoices finalize`) settles every grant covering up to
    /// Jan 3, Jan 1's included, whose own invoice finalizes on Jan 4: it gets nothing.
    @Test func graceLongerThanAPeriodFinalizingTheLaterDraftSettlesTheEarlierGrant() throws {
        let catalog = Catalog(
            customers: Catalog.customers(["cus_1"]),
            meters: [.init(id: "mtr_tokens", displayName: "Tokens", eventName: "tokens")],
            products: [.init(id: "prod_1", name: "Product")],
            prices: [
                PriceParams(
                    id: "price_daily", product: "prod_1", currency: Self.usd, kind: .recurring,
                    recurring: .init(interval: .day, intervalCount: 1, usageType: .metered, meter: "mtr_tokens"),
                    scheme: .unit("1"))
            ])
        let w = try World(catalog)
        let (sub, _) = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: [.init(price: "price_daily")], graceSeconds: 2 * 86400))
        _ = try allowance(w, sub.id)
        try w.record("4000", event: "tokens", at: "2026-01-01T12:00:00Z")  // day 1
        try w.record("5000", event: "tokens", at: "2026-01-02T12:00:00Z")  // day 2
        w.clock.set("2026-01-03T01:00:00Z")
        _ = try w.ledger.bill()
        let day2 = try cycleInvoice(w, endingAt: t("2026-01-03T00:00:00Z"))
        #expect(day2.status == .draft)
        _ = try w.ledger.finalizeInvoice(day2.id)
        w.clock.set("2026-01-05T00:00:00Z")
        _ = try w.ledger.bill()
        let day1 = try cycleInvoice(w, endingAt: t("2026-01-02T00:00:00Z"))
        #expect(day1.status != .draft)
        #expect(day1.total == 0, "day 1's usage is paid by day 1's allowance")
        #expect(try cycleInvoice(w, endingAt: t("2026-01-03T00:00:00Z")).total == 0)
    }

    /// January's draft fails (amount_overflow); February's invoice finalizes on Mar 1 01:00 and
    /// settles January's grant too (coverage through ≤ Mar 1). Once the bad event is cancelled
    /// January's draft finalizes, and January's allowance no longer pays its 40.00.
    @Test func aFailedDraftsPeriodGrantIsSettledByTheNextPeriodsInvoice() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: [.init(price: "price_tokens"), .init(price: "price_huge")]))
        _ = try allowance(w, sub.id)
        try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        try w.record("999999999999999", event: "huge", at: "2026-01-16T00:00:00Z", id: "bad")
        w.clock.set("2026-03-01T02:00:00Z")
        let report = try w.ledger.bill()
        #expect(report.failures.count == 1)
        let january = try cycleInvoice(w, endingAt: t("2026-02-01T00:00:00Z"))
        #expect(january.status == .draft)
        // January's grant is still January's: it must stay open while January's invoice is a draft.
        let januaryGrant = try #require(
            try w.ledger.grants(customer: "cus_1").first { $0.coverage?.through == t("2026-02-01T00:00:00Z") })
        #expect(januaryGrant.expiresAt == nil, "January's grant settles with January's invoice")
        _ = try w.ledger.cancelEvent(eventName: "huge", identifier: "bad")
        let finalized = try w.ledger.finalizeInvoice(january.id)
        #expect(finalized.total == 0, "January's usage is paid by January's allowance")
    }

    // MARK: 3. Balances need the write lock now

    /// `balance` on a file this process may only read (the CLI opens it read-only when it is not
    /// writable): with a step due it runs the steps in a rolled-back write transaction, which a
    /// read-only connection cannot begin. Before allowances it was a plain read.
    @Test func aReadOnlyLedgerStillReadsBalancesWhenAStepIsDue() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let path = dir.path("l.sqlite")
        do {
            let w = try World(Self.catalog, path: path)
            let (sub, _) = try w.ledger.createSubscription(
                .init(customer: "cus_1", items: [.init(price: "price_tokens")]))
            _ = try allowance(w, sub.id)
            try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        }
        let ledger = try Ledger(path: path, clock: fixedClock(t("2026-02-01T02:00:00Z")), readOnly: true)
        let balances = try ledger.creditBalances(customer: "cus_1")
        // A file it cannot write: the booked state, read without waiting or failing. January's
        // 100.00 untouched (its period's close, its draft and February's grant wait for a write).
        #expect(balances.map(\.ledgerBalance) == [10000])
        #expect(balances.map(\.availableBalance) == [10000])
    }

    /// Another process holding the write lock (a long `bill`, an import) makes a plain balance
    /// read wait for it and fail with `busy` when a step is due: reads used to go on under WAL.
    /// The other writer holds SQLite's write lock, or on PostgreSQL the rows of the clock and of
    /// the invoice numbers, which the due step writes.
    @Test func aBalanceReadDoesNotWaitForAnotherWriter() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        do {
            let w = try World(Self.catalog, location: location)
            let (sub, _) = try w.ledger.createSubscription(
                .init(customer: "cus_1", items: [.init(price: "price_tokens")]))
            _ = try allowance(w, sub.id)
        }
        let other = try location.open(clock: fixedClock(t("2026-01-01T00:00:00Z")))
        let locked = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? other.store.write { tx in
                try tx.db.execute(sql: "UPDATE ledgerClock SET processedThrough = processedThrough")
                try tx.db.execute(sql: "UPDATE invoiceCounter SET next = next")
                locked.signal()
                Thread.sleep(forTimeInterval: 3)
                throw RollbackSignal()
            }
            done.signal()
        }
        locked.wait()
        defer { done.wait() }
        let ledger = try location.open(clock: fixedClock(t("2026-02-01T02:00:00Z")))
        let started = Date()
        let result = code { _ = try ledger.creditBalances(customer: "cus_1") }
        #expect(result == nil)
        #expect(Date().timeIntervalSince(started) < 2)
    }
    // MARK: 4. A settled grant without expires_at; a rollover for a subscription that ended

    /// Canceled immediately at the very boundary (Feb 1 00:00, the same as ending at the period's
    /// end): January's invoice finalizes at 01:00 as a cycle invoice (`continues: true`), so
    /// January's 60.00 left rolls 30.00 over into a grant for February, a period the
    /// subscription never has; the final invoice finalizes at the same instant and settles it at
    /// its own effective instant, so its `expires_at` is never set (`instant > effectiveAt`):
    /// an expired grant that reads as never expiring. Canceling at period end rolls nothing.
    @Test func immediateCancelAtTheBoundaryRollsOverIntoAPeriodThatNeverComesAndLeavesExpiresAtUnset() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        _ = try allowance(w, sub.id, rollover: 3000)
        try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T00:00:00Z")
        _ = try w.ledger.cancelSubscription(sub.id)
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        let grants = try w.ledger.grants(customer: "cus_1")
        let transactions = try w.ledger.creditTransactions(customer: "cus_1")
        for grant in grants {
            let expired = transactions.contains { $0.grant == grant.id && $0.kind == .creditsExpired }
            if expired { #expect(grant.expiresAt != nil, "grant \(grant.id) expired but has no expires_at") }
        }
        #expect(grants.filter { $0.rolledOverFrom != nil }.isEmpty, "the subscription has no period to roll into")
    }

    // MARK: 5. Exports

    /// `export credit-grants` cannot tell an allowance's grant from any other: no allowance, no
    /// coverage (service period), no rolled_over_from; there is no allowances export either.
    @Test func theCreditGrantsExportNamesTheAllowanceAndItsCoverage() throws {
        let names = Ledger.exportColumns(.creditGrants).map(\.name)
        #expect(names.contains("allowance_id"))
        #expect(names.contains("rolled_over_from"))
        #expect(names.contains { $0.contains("service_period") || $0.contains("covers") })
    }
    // MARK: 6. Alerts miss what a settlement books

    /// Alert at or below 120.00. Feb 1 00:00: January's grant (100.00) and February's (100.00):
    /// 200.00. At 01:00 January's invoice applies 40.00 (160.00) and the finalization judges the
    /// alert through 01:00; then the settlement expires January's 60.00 at the same instant
    /// (100.00 ≤ 120.00) and judges again, but an instant already judged is never judged again:
    /// the crossing is lost, and the alert stays untriggered all February at 100.00.
    @Test func anAlertSeesTheSettlementsExpiry() throws {
        let w = try World(Self.catalog)
        let (sub, _) = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        _ = try allowance(w, sub.id)
        let alert = try w.ledger.createAlert(
            .init(customer: "cus_1", lte: Money(amountMinor: 12000, currency: Self.usd)))
        #expect(alert.triggered)  // 100.00 at creation
        try w.record("4000", event: "tokens", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-02-01T00:30:00Z")
        _ = try w.ledger.bill()
        #expect(try w.ledger.alert(alert.id).triggered == false)  // 200.00: recovered at 00:00
        w.clock.set("2026-02-15T00:00:00Z")
        _ = try w.ledger.bill()
        #expect(try w.ledger.creditBalances(customer: "cus_1").map(\.ledgerBalance) == [10000])
        #expect(try w.ledger.alert(alert.id).triggered, "100.00 is at or below 120.00 since 01:00")
    }
}
