// swift-format-ignore-file
// This file holds README.md's event-feed example byte for byte, so the formatter leaves it
// alone: `theExampleIsTheREADMEs` compares the lines between the markers with the README's block.
import Foundation
import LedgerKit
import Testing

/// The README's host app consuming the event feed ("The event feed"): it runs, and it is the
/// README's text.
@Suite struct ReadmeFeedTests {
    @Test func aHostAppConsumesTheFeed() throws {
        let w = try World(FeedTests.catalog)
        _ = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: [.init(price: "price_licence", quantity: 1), .init(price: "price_usage")]))
        _ = try w.ledger.createGrant(
            .init(customer: "cus_1", amount: Money(amountMinor: 500, currency: FeedTests.usd), scope: .metered))
        w.clock.set("2026-02-01T01:00:00Z")
        _ = try w.ledger.bill()
        let ledger = w.ledger
// README begin
var notices: [String] = []
var cursor: FeedEvent.ID? = nil                   // the app keeps the last event it handled
var page = try ledger.feed(after: cursor)
while !page.isEmpty {
    for event in page {
        switch (event.kind, event.object) {
        case (.invoiceFinalized, .invoice(let invoice)): notices.append("\(invoice.customer) owes \(invoice.amountDue)")
        case (.grantCreated, .grant(let grant)): notices.append("\(grant.customer) got \(grant.amount.amountMinor)")
        default: break
        }
        cursor = event.id                         // kept with the app's own effect, in one transaction
    }
    page = try ledger.feed(after: cursor)
}
// README end
        // The first invoice (the licence, at creation), the grant, and February's invoice: the
        // licence again (January's usage is none).
        #expect(notices == ["cus_1 owes 10000", "cus_1 got 500", "cus_1 owes 10000"])
        #expect(try ledger.feed(after: cursor).isEmpty)
    }

    @Test func theExampleIsTheREADMEs() throws {
        let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let readmeURL = testsDir.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8).components(separatedBy: "\n")
        let section = try #require(readme.firstIndex(of: "### The event feed"), "README has no '### The event feed'")
        let open = try #require(readme[section...].firstIndex(of: "```swift"), "no ```swift block under it")
        let close = try #require(readme[(open + 1)...].firstIndex(of: "```"), "the ```swift block is not closed")
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
            .components(separatedBy: "\n")
        let begin = try #require(source.firstIndex(of: "// README begin"))
        let end = try #require(source.firstIndex(of: "// README end"))
        #expect(Array(readme[(open + 1)..<close]) == Array(source[(begin + 1)..<end]))
    }
}
