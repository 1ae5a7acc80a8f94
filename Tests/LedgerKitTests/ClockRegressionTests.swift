import Foundation
import Testing

@testable import LedgerKit

/// After an allowed clock regression, a debit at an earlier instant never takes credit that a
/// later debit already took: a grant's balance stays at or above zero at every instant.
@Suite struct ClockRegressionTests {
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [.init(id: "mtr_t", displayName: "Tokens", eventName: "tokens")],
        products: [.init(id: "prod_t", name: "Tokens")],
        prices: [.monthly("price_t", of: "prod_t", meter: "mtr_t", .unit("1"))])

    @Test("a finalization before an expiry already booked applies nothing of the expired credit")
    func finalizationBeforeABookedExpiry() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let w = try World(Self.catalog, location: location)
        let usd = try Currency(code: "usd")
        let sub = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_t")])).0
        let grant = try w.ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 100, currency: usd), category: .promotional,
                scope: .metered))
        try w.record("80", at: "2026-01-15T00:00:00Z")
        w.clock.set("2026-01-20T00:00:00Z")
        _ = try w.ledger.expireGrant(grant.id)  // 100 expired at Jan 20
        // Back to Jan 18, explicitly: cancel now bills the 80 tokens, finalizing at Jan 18 01:00.
        let back = TestClock(try Instant.parse("2026-01-18T00:00:00Z"))
        let regressed = try location.open(clock: { back.now }, allowClockRegression: true)
        let (_, draft) = try regressed.cancelSubscription(sub.id)
        back.set("2026-01-18T02:00:00Z")
        #expect(try regressed.bill().invoicesFinalized == 1)
        let invoice = try regressed.invoice(try #require(draft).id)
        #expect(invoice.status == .open)
        #expect(invoice.amountDue == 80)  // the credit had already expired (at a later instant)
        let totals = try w.ledger.grantTotals(grant.id)
        #expect(totals == GrantTotals(granted: 100, applied: 0, reinstated: 0, expired: 100, voided: 0))
        #expect(try w.ledger.verify().isEmpty)
    }
}
