import GRDB

/// The balance of one account in one currency.
public struct AccountBalance: Hashable, Sendable {
    public var account: Account
    public var currency: Currency
    public var amountMinor: Int64
}

extension Ledger {
    /// Posts a balanced entry (a manual adjustment; business operations post their own).
    /// - Throws: `unbalanced_entry` (also proved again by SQL), `resource_already_exists`.
    public func post(_ entry: JournalEntry) throws {
        try store.write { db in try Self.post(entry, db) }
    }

    /// Writes `entry` inside the caller's transaction: postings first, then the entry row,
    /// whose trigger checks the balance in SQL.
    static func post(_ entry: JournalEntry, _ db: Database) throws {
        // The entry was built by `JournalEntry.balanced`; assert it again, one rule per check.
        precondition(entry.postings.count >= 2, "a journal entry has two or more postings")
        let insertPosting = try db.cachedStatement(
            sql: """
                INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        for (position, posting) in entry.postings.enumerated() {
            try insertPosting.execute(arguments: [
                entry.id.rawValue, position, posting.account.name, posting.currency.code,
                posting.amountMinor, entry.postedAt,
            ])
        }
        // A repeated entry ID fails on the posting trigger or the primary key: never stored twice.
        try db.cachedStatement(
            sql: """
                INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created)
                VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                entry.id.rawValue, entry.postedAt, entry.description, entry.sourceType,
                entry.sourceId, entry.postedAt,
            ])
    }

    /// The balance of `account` and every account below it, per currency, counting entries
    /// posted at or before `asOf` (default: now; an entry dated later is not yet).
    public func balance(of account: Account, asOf: Int64? = nil) throws -> [Currency: Int64] {
        let asOf = asOf ?? now
        return try store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT currency, sum(amountMinor) AS total FROM posting
                    WHERE (account = ? OR (account > ? AND account < ?)) AND postedAt <= ?
                    GROUP BY currency
                    """,
                arguments: [
                    account.name, account.name + ":", account.name + ";", asOf,
                ])
            var result: [Currency: Int64] = [:]
            for row in rows {
                result[try Currency(code: row["currency"])] = row["total"]
            }
            return result
        }
    }

    /// Every account's balance per currency as of `asOf` (default: now), sorted by account (zero
    /// balances left out).
    public func accountBalances(asOf: Int64? = nil) throws -> [AccountBalance] {
        let asOf = asOf ?? now
        return try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT account, currency, sum(amountMinor) AS total FROM posting
                    WHERE postedAt <= ? GROUP BY account, currency HAVING total != 0
                    ORDER BY account, currency
                    """,
                arguments: [asOf]
            ).map { row in
                AccountBalance(
                    account: try Account(row["account"]), currency: try Currency(code: row["currency"]),
                    amountMinor: row["total"])
            }
        }
    }

    /// Journal entries in posting order, optionally within `[from, to)`.
    public func journalEntries(from: Int64? = nil, to: Int64? = nil) throws -> [JournalEntry] {
        try store.read { db in
            let entries = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM journalEntry WHERE postedAt >= ? AND postedAt < ?
                    ORDER BY postedAt, rowid
                    """,
                arguments: [from ?? Int64.min, to ?? Int64.max])
            return try entries.map { row in
                let id: String = row["id"]
                let postings = try Row.fetchAll(
                    db, sql: "SELECT * FROM posting WHERE entryId = ? ORDER BY position",
                    arguments: [id]
                ).map { p in
                    Posting(
                        account: try Account(p["account"]), amountMinor: p["amountMinor"],
                        currency: try Currency(code: p["currency"]))
                }
                return try JournalEntry.balanced(
                    id: .init(id), postedAt: row["postedAt"], description: row["description"],
                    sourceType: row["sourceType"], sourceId: row["sourceId"], postings: postings)
            }
        }
    }

    /// The trial balance: the sum of all postings per currency, which is always zero.
    public func trialBalance() throws -> [Currency: Int64] {
        try store.read { db in
            var result: [Currency: Int64] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT currency, sum(amountMinor) AS total FROM posting GROUP BY currency")
            {
                result[try Currency(code: row["currency"])] = row["total"]
            }
            return result
        }
    }
}
