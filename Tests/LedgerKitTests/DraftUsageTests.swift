import Foundation
import Testing

@testable import LedgerKit

/// A finalization keeps a draft's metered counts only when no event was recorded or cancelled
/// since the draft was made (the recorded-events mark is before its creation); any event
/// recorded or cancelled after it, even at an earlier instant through an allowed clock
/// regression, makes it count again.
@Suite struct DraftUsageTests {
    static let catalog = Catalog(
        customers: Catalog.customers(["cus_1"]),
        meters: [.init(id: "mtr_t", displayName: "Tokens", eventName: "tokens")],
        products: [.init(id: "prod_t", name: "Tokens")],
        prices: [.monthly("price_t", of: "prod_t", meter: "mtr_t", .unit("0.5"))])

    /// Jan 1 to Feb 1, 1000 tokens on Jan 10 and 400 on Jan 20, the draft made at Feb 1 00:00.
    private func drafted(_ location: TestBackend.Location? = nil) throws -> (World, Invoice.ID) {
        let w = try World(Self.catalog, location: location)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_t")]))
        try w.record("1000", at: "2026-01-10T00:00:00Z", id: "e1")
        try w.record("400", at: "2026-01-20T00:00:00Z", id: "e2")
        w.clock.set("2026-02-01T00:10:00Z")
        #expect(try w.ledger.bill().invoicesCreated == 1)
        let draft = try #require(try w.ledger.invoices(customer: "cus_1").last)
        #expect((draft.status, draft.lines.map(\.amount)) == (.draft, [700]))
        return (w, draft.id)
    }

    private func line(_ w: World, _ id: Invoice.ID) throws -> (String, Int64) {
        let line = try w.ledger.invoice(id).lines[0]
        return (line.quantity.description, line.amount)
    }

    @Test func aDraftNothingChangedSinceFinalizesOnItsOwnCounts() throws {
        let (w, id) = try drafted()
        // What the draft counted is what it bills: the proof that it was not counted again is a
        // count changed behind the ledger's back, kept.
        try w.ledger.execute("UPDATE invoiceLine SET quantityDecimal = '1402', amount = 701")
        w.clock.set("2026-02-01T02:00:00Z")
        #expect(try w.ledger.bill().invoicesFinalized == 1)
        #expect(try line(w, id) == ("1402", 701))
    }

    @Test func anEventRecordedInTheGraceIsCounted() throws {
        let (w, id) = try drafted()
        try w.record("200", at: "2026-01-31T23:00:00Z", recordedAt: "2026-02-01T00:20:00Z", id: "e3")
        w.clock.set("2026-02-01T02:00:00Z")
        #expect(try w.ledger.bill().invoicesFinalized == 1)
        #expect(try line(w, id) == ("1600", 800))
        #expect(try w.ledger.verify().isEmpty)
    }

    @Test func anEventCancelledInTheGraceIsNotBilled() throws {
        let (w, id) = try drafted()
        _ = try w.ledger.cancelEvent(eventName: "tokens", identifier: "e2")
        w.clock.set("2026-02-01T02:00:00Z")
        #expect(try w.ledger.bill().invoicesFinalized == 1)
        #expect(try line(w, id) == ("1000", 500))
    }

    @Test func anEventRecordedAtAnEarlierInstantAfterTheDraftIsCounted() throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let (w, id) = try drafted(location)
        // Back to Jan 31, explicitly: the event is recorded before the draft's instant, after it
        // was made; the draft's finalization at Feb 1 01:00 counts it, as a recount would.
        let back = TestClock(try Instant.parse("2026-01-31T12:00:00Z"))
        let regressed = try location.open(clock: { back.now }, allowClockRegression: true)
        _ = try regressed.record(
            EventSubmission(
                eventName: "tokens", identifier: "e4", timestamp: try Instant.parse("2026-01-31T11:00:00Z"),
                customer: "cus_1", value: ExactDecimal(100)))
        w.clock.set("2026-02-01T02:00:00Z")
        #expect(try w.ledger.bill().invoicesFinalized == 1)
        #expect(try line(w, id) == ("1500", 750))
    }
}
