import Foundation
import PropertyBased
import Testing

@testable import LedgerKit

@Suite struct JournalStoreTests {
    static let usd = try! Currency(code: "usd")
    static let jpy = try! Currency(code: "jpy")
    static let receivable = Account.receivable(.init("cus_1"))
    static let revenue = Account.revenue(.init("price_1"))

    static func entry(_ at: Int64, _ amount: Int64, _ currency: Currency = usd) throws -> JournalEntry {
        try JournalEntry.balanced(
            postedAt: at, description: "usage", sourceType: "invoice", sourceId: "in_1",
            postings: [
                Posting(account: receivable, amountMinor: amount, currency: currency),
                Posting(account: revenue, amountMinor: -amount, currency: currency),
            ])
    }

    @Test func balancesAsOfAnyInstant() throws {
        let ledger = try TestBackend.ledger(clock: fixedClock(jan1))
        try ledger.post(Self.entry(100, 120))
        try ledger.post(Self.entry(200, 4))
        try ledger.post(Self.entry(200, 450, Self.jpy))
        #expect(try ledger.balance(of: Self.receivable, asOf: 99) == [:])
        #expect(try ledger.balance(of: Self.receivable, asOf: 100) == [Self.usd: 120])
        #expect(try ledger.balance(of: Self.receivable, asOf: 200) == [Self.usd: 124, Self.jpy: 450])
        #expect(try ledger.balance(of: Account("assets")) == [Self.usd: 124, Self.jpy: 450])
        #expect(try ledger.balance(of: Account("assets:receivable")) == [Self.usd: 124, Self.jpy: 450])
        #expect(try ledger.balance(of: Account("revenue:usage")) == [Self.usd: -124, Self.jpy: -450])
        // A sibling whose name extends the prefix is not inside the subtree.
        #expect(try ledger.balance(of: Account("assets:receivable:cus")) == [:])
        #expect(try ledger.trialBalance() == [Self.usd: 0, Self.jpy: 0])
        #expect(try ledger.accountBalances().count == 4)
        #expect(try ledger.journalEntries().count == 3)
        #expect(try ledger.journalEntries(from: 150).count == 2)
        #expect(try ledger.verify().isEmpty)
    }

    /// SQL proves the invariant on its own: postings that do not balance never become an entry,
    /// whatever code writes them.
    @Test func sqlRefusesUnbalancedEntries() async throws {
        let ledger = try TestBackend.ledger(clock: fixedClock(jan1))
        await propertyCheck(count: 100, input: Gen.int(in: -1000...1000).array(of: 0...5)) { amounts in
            let sum = amounts.reduce(0, +)
            let balanced = amounts.count >= 2 && sum == 0
            let id = "je_\(UUID().uuidString)"
            let stored: Bool
            do {
                try ledger.store.write { tx in
                    for (i, amount) in amounts.enumerated() {
                        try tx.db.execute(
                            sql:
                                "INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt) VALUES (?, ?, 'assets:cash', 'usd', ?, 0)",
                            arguments: [id, i, amount])
                    }
                    try tx.db.execute(
                        sql:
                            "INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created) VALUES (?, 0, '', 't', 's', 0)",
                        arguments: [id])
                }
                stored = true
            } catch {
                stored = false
            }
            #expect(stored == balanced, "\(amounts)")
        }
        #expect(try ledger.trialBalance().values.allSatisfy { $0 == 0 })
    }

    /// Postings go in statements of up to 64 rows: an entry of 1 + 149 postings (three
    /// statements) is stored whole, in its order, and reads back as it was posted.
    @Test func aLongEntryIsStoredInItsOrder() throws {
        let ledger = try TestBackend.ledger(clock: { 10 })
        let debits = (1...149).map { Posting(account: Self.revenue, amountMinor: -Int64($0), currency: Self.usd) }
        let entry = try JournalEntry.balanced(
            postedAt: 5, description: "long", sourceType: "manual", sourceId: "m_1",
            postings: [Posting(account: Self.receivable, amountMinor: 11_175, currency: Self.usd)] + debits)
        try ledger.post(entry)
        let stored = try #require(try ledger.journalEntries().first)
        #expect(stored.postings == entry.postings)
        #expect(try ledger.balance(of: Self.receivable) == [Self.usd: 11_175])
        #expect(try ledger.balance(of: Self.revenue) == [Self.usd: -11_175])
    }

    @Test func theJournalIsAppendOnly() throws {
        let ledger = try TestBackend.ledger(clock: fixedClock(jan1))
        let entry = try Self.entry(1, 10)
        try ledger.post(entry)
        for sql in [
            "UPDATE posting SET amountMinor = 11",
            "DELETE FROM posting",
            "UPDATE journalEntry SET postedAt = 2",
            "DELETE FROM journalEntry",
            "INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt) VALUES ('\(entry.id)', 9, 'assets:cash', 'usd', 0, 1)",
        ] {
            #expect(throws: LedgerError.self, "\(sql)") { try ledger.execute(sql) }
        }
        // Posting the same entry twice is refused and changes nothing.
        #expect(throws: LedgerError.self) { try ledger.post(entry) }
        #expect(try ledger.journalEntries().count == 1)
    }

    /// Random balanced entries: the trial balance is zero, and every account's balance equals
    /// the sum of its postings up to the instant asked.
    @Test func randomBalancedEntriesKeepTheTrialBalanceZero() async throws {
        await propertyCheck(
            count: 30, input: zip(Gen.int(in: 0...100), Gen.int(in: -10_000...10_000)).array(of: 1...20),
            Gen.int(in: 0...100)
        ) { entries, asOf in
            let ledger = try! TestBackend.ledger(clock: fixedClock(jan1))
            var expected: Int64 = 0
            for (at, amount) in entries {
                try! ledger.post(Self.entry(Int64(at), Int64(amount)))
                if at <= asOf { expected += Int64(amount) }
            }
            #expect(try! ledger.trialBalance().values.allSatisfy { $0 == 0 })
            #expect(try! ledger.balance(of: Self.receivable, asOf: Int64(asOf))[Self.usd] ?? 0 == expected)
            #expect(try! ledger.verify().isEmpty)
        }
    }
}
