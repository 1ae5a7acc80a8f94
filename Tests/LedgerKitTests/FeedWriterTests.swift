import Foundation
import Testing

@testable import LedgerKit

/// `FeedWriter`: the hand-written JSON of invoices and subscriptions reads back, through the
/// values' synthesized `Codable`, as the value written.
@Suite struct FeedWriterTests {
    func roundTrip(_ object: FeedEvent.Object, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = try #require(FeedWriter.json(object), sourceLocation: sourceLocation)
        let decoded = try JSONDecoder().decode(FeedEvent.Object.self, from: Data(text.utf8))
        #expect(decoded == object, "\(text)", sourceLocation: sourceLocation)
    }

    @Test("invoices and subscriptions of a varied history decode to what was written")
    func roundTrips() throws {
        let w = try World(SubscriptionUpdateTests.catalog)
        let usd = try Currency(code: "usd")
        let (sub, _) = try w.ledger.createSubscription(
            .init(
                customer: "cus_1", items: [.init(price: "price_licence", quantity: 1), .init(price: "price_usage")],
                metadata: ["plan": "pro \"gold\"\n\u{1}é 🙂", "empty": ""],
                collection: try Collection(method: .sendInvoice, daysUntilDue: 30)))
        _ = try w.ledger.createGrant(
            .init(
                customer: "cus_1", amount: Money(amountMinor: 150, currency: usd), category: .promotional,
                scope: .metered))
        try w.record("125.5", event: "a_tokens", at: "2026-01-10T00:00:00Z")
        w.clock.set("2026-01-15T00:00:00Z")
        _ = try w.ledger.updateSubscription(sub.id, .init(addItems: [.init(price: "price_seat", quantity: 2)]))
        _ = try w.ledger.createInvoiceItem(
            .init(customer: "cus_1", currency: usd, amount: .whole(77), description: "Setup \\ fee"))
        let manual = try w.ledger.createInvoice(
            customer: "cus_1", currency: usd, includePending: true, description: nil, metadata: ["k": "v"])
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        _ = try w.ledger.finalizeInvoice(manual.id)
        var objects: [FeedEvent.Object] = try w.ledger.invoices().map { .invoice($0) }
        objects += try w.ledger.subscriptions().map { .subscription($0) }
        objects.append(.subscription(try w.ledger.subscription(sub.id)))
        #expect(objects.count >= 4)
        for object in objects { try roundTrip(object) }
        // And the feed's stored objects read back as the invoices are now, for those not changed since.
        let finalized = try w.ledger.feed(kinds: [.invoiceFinalized]).compactMap { event -> Invoice? in
            guard case .invoice(let i) = event.object else { return nil }
            return i
        }
        for invoice in finalized { #expect(invoice == (try w.ledger.invoice(invoice.id))) }
        #expect(FeedWriter.json(.customer(try w.ledger.customer("cus_1"))) == nil)
    }
}
