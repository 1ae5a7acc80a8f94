import PropertyBased
import Testing

@testable import LedgerCore

@Suite struct JournalTests {
    static let usd = try! Currency(code: "usd")
    static let eur = try! Currency(code: "eur")
    static let receivable = Account.receivable(.init("cus_1"))
    static let revenue = Account.revenue(.init("price_1"))

    @Test func aBalancedEntryIsBuilt() throws {
        let entry = try JournalEntry.balanced(
            postedAt: 10, description: "invoice", sourceType: "invoice", sourceId: "in_1",
            postings: [
                Posting(account: Self.receivable, amountMinor: 120, currency: Self.usd),
                Posting(account: Self.revenue, amountMinor: -120, currency: Self.usd),
            ])
        #expect(entry.postings.count == 2)
        #expect(entry.id.rawValue.hasPrefix("je_"))
    }

    @Test func unbalancedEntriesAreRefused() {
        let cases: [[Posting]] = [
            [],
            [Posting(account: Self.receivable, amountMinor: 0, currency: Self.usd)],
            [
                Posting(account: Self.receivable, amountMinor: 120, currency: Self.usd),
                Posting(account: Self.revenue, amountMinor: -119, currency: Self.usd),
            ],
            // Balanced in total but not per currency.
            [
                Posting(account: Self.receivable, amountMinor: 100, currency: Self.usd),
                Posting(account: Self.revenue, amountMinor: -100, currency: Self.eur),
            ],
        ]
        for postings in cases {
            #expect(throws: LedgerError.self) {
                try JournalEntry.balanced(
                    postedAt: 0, description: "", sourceType: "t", sourceId: "s", postings: postings)
            }
        }
    }

    @Test func overflowingPostingsAreRefused() {
        #expect(throws: LedgerError.self) {
            try JournalEntry.checkBalanced([
                Posting(account: Self.receivable, amountMinor: .max, currency: Self.usd),
                Posting(account: Self.receivable, amountMinor: 1, currency: Self.usd),
                Posting(account: Self.revenue, amountMinor: .min, currency: Self.usd),
            ])
        }
    }

    @Test func accountNamesFollowTheHierarchy() throws {
        #expect(try Account("assets:receivable:cus_1").isWithin(Account("assets:receivable")))
        #expect(try Account("assets:receivable:cus_1").isWithin(Account("assets")))
        #expect(try !Account("assets:receivables").isWithin(Account("assets:receivable")))
        for bad in ["", "cash", "assets:", "assets::x", "income:x", "assets:a b", ":assets"] {
            #expect(throws: LedgerError.self, "\(bad)") { try Account(bad) }
        }
    }

    /// Any random set of postings is accepted exactly when it has two or more postings and every
    /// currency sums to zero.
    @Test func balancedIffEachCurrencySumsToZero() async {
        let posting = zip(Gen.int(in: -1000...1000), Gen.bool).map { amount, euro in
            Posting(
                account: JournalTests.receivable, amountMinor: Int64(amount),
                currency: euro ? JournalTests.eur : JournalTests.usd)
        }
        await propertyCheck(count: 500, input: posting.array(of: 0...6), Gen.bool) { postings, close in
            var postings = postings
            if close {
                // Add the balancing postings so that the entry must be accepted.
                for currency in [Self.usd, Self.eur] {
                    let sum = postings.filter { $0.currency == currency }.reduce(0) { $0 + $1.amountMinor }
                    if sum != 0 {
                        postings.append(Posting(account: Self.revenue, amountMinor: -sum, currency: currency))
                    }
                }
            }
            var sums: [Currency: Int64] = [:]
            for p in postings { sums[p.currency, default: 0] += p.amountMinor }
            let shouldBalance = postings.count >= 2 && sums.values.allSatisfy { $0 == 0 }
            let built = try? JournalEntry.balanced(
                postedAt: 0, description: "", sourceType: "t", sourceId: "s", postings: postings)
            #expect((built != nil) == shouldBalance)
        }
    }
}
