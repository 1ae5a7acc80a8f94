// swift-format-ignore-file
// This file holds README.md's "The library" snippet byte for byte, so the formatter leaves it
// alone: `theSnippetIsTheREADMEs` compares the lines between the two README markers below with
// the README's block, every line exact but those listed in `changes`.
import Foundation
import LedgerKit
import Testing

/// The README's host-app example ("The library"): it runs, and it is the README's text.
@Suite struct ReadmeSnippetTests {
    @Test func aHostAppRecordsUsageBillsAndReadsABalance() throws {
// README begin

let usd = try Currency(code: "usd")
let clock = TestClock(jan1)
let ledger = try Ledger(inMemoryWithClock: { clock.now })
let customer = try ledger.createCustomer(.init(id: "cus_acme", name: "Acme"))
let meter = try ledger.createMeter(.init(displayName: "Tokens", eventName: "tokens"))
let product = try ledger.createProduct(.init(name: "API"))
let price = try ledger.createPrice(.init(
    product: product.id, currency: usd, kind: .recurring,
    recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: meter.id),
    scheme: .perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up))))
_ = try ledger.createSubscription(.init(customer: customer.id, items: [.init(price: price.id)]))
_ = try ledger.createGrant(.init(
    customer: customer.id, amount: Money(amountMinor: 500, currency: usd), category: .promotional, scope: .metered))
_ = try ledger.record(EventSubmission(eventName: "tokens", customer: customer.id, value: 3000))
clock.set("2026-02-01T01:00:00Z")
let report = try ledger.bill()                       // closes due periods, finalizes due drafts
let balance = try ledger.creditBalances(customer: customer.id)   // [CreditBalance] per currency
// README end
        // A month and the grace later: 3,000 tokens are 30 packages of 4 cents, 120, all paid
        // by the promotional grant, which keeps 380.
        #expect((report.invoicesCreated, report.invoicesFinalized) == (1, 1))
        let invoice = try #require(try ledger.invoices(customer: customer.id).first)
        #expect((invoice.subtotal, invoice.total, invoice.status) == (120, 0, .paid))
        #expect(balance.map(\.availableBalance) == [380])
    }

    /// The README's lines the test cannot run as written, each with the lines it runs instead:
    /// the file on disk becomes an in-memory ledger on a test clock, and the clock moves to the
    /// first boundary plus the grace before `bill()`. `import LedgerKit` is this file's own
    /// import (checked below), not a line of the test's body.
    static let changes: [(readme: String, test: [String])] = [
        ("import LedgerKit", []),
        (
            #"let ledger = try Ledger(path: "billing.sqlite")   // or Ledger(path:dates:), Ledger(inMemoryWithClock:)"#,
            ["let clock = TestClock(jan1)", "let ledger = try Ledger(inMemoryWithClock: { clock.now })"]
        ),
        (
            "let report = try ledger.bill()                       // closes due periods, finalizes due drafts",
            [#"clock.set("2026-02-01T01:00:00Z")"#, "let report = try ledger.bill()                       // closes due periods, finalizes due drafts"]
        ),
    ]

    @Test func theSnippetIsTheREADMEs() throws {
        let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let readmeURL = testsDir.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let readme = try String(contentsOf: readmeURL, encoding: .utf8).components(separatedBy: "\n")
        let section = try #require(readme.firstIndex(of: "## The library"), "README has no '## The library'")
        let open = try #require(readme[section...].firstIndex(of: "```swift"), "no ```swift block under it")
        let close = try #require(readme[(open + 1)...].firstIndex(of: "```"), "the ```swift block is not closed")
        let snippet = Array(readme[(open + 1)..<close])
        #expect(snippet.count < 20, "the README's snippet has \(snippet.count) lines")

        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
            .components(separatedBy: "\n")
        let begin = try #require(source.firstIndex(of: "// README begin"))
        let end = try #require(source.firstIndex(of: "// README end"))
        let body = Array(source[(begin + 1)..<end])
        #expect(source.contains("import LedgerKit"), "the snippet's import is this file's import")

        var expected: [String] = []
        for line in snippet {
            let changed = Self.changes.filter { $0.readme == line }
            expected += changed.first?.test ?? [line]
        }
        for change in Self.changes {
            #expect(snippet.filter { $0 == change.readme }.count == 1, "not once in the README: \(change.readme)")
        }
        #expect(body == expected, "the test's lines differ from the README's snippet")
        for (index, line) in body.enumerated() where index >= expected.count || expected[index] != line {
            Issue.record("first difference at body line \(index + 1): \(line)")
            break
        }
    }
}
