/// The journal: entries and postings, and balances summed from them.
extension StorageTransaction {
    /// Writes `entry` inside the caller's transaction: postings first, then the entry row,
    /// whose trigger checks the balance in SQL. `customer` is whose movement it is (its rows
    /// carry the customer key; nil: the ledger's own, key '').
    func post(_ entry: JournalEntry, customer: Customer.ID?) throws {
        // The entry was built by `JournalEntry.balanced`; assert it again, one rule per check.
        precondition(entry.postings.count >= 2, "a journal entry has two or more postings")
        // The postings in statements of up to 64 rows, bound through the C API (no argument
        // arrays), in position order as one insert per row would write them.
        for chunk in stride(from: 0, to: entry.postings.count, by: postingInserts.count) {
            let rows = entry.postings[chunk..<min(chunk + postingInserts.count, entry.postings.count)]
            let insertPostings = try db.cachedStatement(sql: postingInserts[rows.count - 1])
            _ = try insertPostings.run { binder in
                for (offset, posting) in rows.enumerated() {
                    let base = Int32(offset * 7)
                    binder.bind(base + 1, entry.id.rawValue)
                    binder.bind(base + 2, Int64(chunk + offset))
                    binder.bind(base + 3, posting.account.name)
                    binder.bind(base + 4, posting.currency.code)
                    binder.bind(base + 5, posting.amountMinor)
                    binder.bind(base + 6, entry.postedAt)
                    binder.bind(base + 7, customer?.rawValue ?? "")
                }
            }
        }
        // A repeated entry ID fails on the posting trigger or the primary key: never stored twice.
        try db.cachedStatement(
            sql: """
                INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created, customerId)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                entry.id.rawValue, entry.postedAt, entry.description, entry.sourceType,
                entry.sourceId, entry.postedAt, customer?.rawValue ?? "",
            ])
    }

    /// The entries of one source, in posting order.
    func entries(sourceType: String, sourceId: String) throws -> [JournalEntry] {
        try SQLRow.fetchAll(
            db, sql: "SELECT * FROM journalEntry WHERE sourceType = ? AND sourceId = ? ORDER BY postedAt, rowid",
            arguments: [sourceType, sourceId]
        ).map(entry)
    }

    /// Journal entries in posting order within `[from, to)`.
    func journalEntries(from: Int64, to: Int64) throws -> [JournalEntry] {
        try SQLRow.fetchAll(
            db, sql: "SELECT * FROM journalEntry WHERE postedAt >= ? AND postedAt < ? ORDER BY postedAt, rowid",
            arguments: [from, to]
        ).map(entry)
    }

    /// Calls `body` with each journal entry within `[from, to)`, in posting order, one at a time:
    /// an export holds one entry in memory, never the journal.
    func forEachJournalEntry(from: Int64, to: Int64, _ body: (JournalEntry) throws -> Void) throws {
        let rows = try SQLRow.fetchCursor(
            db, sql: "SELECT * FROM journalEntry WHERE postedAt >= ? AND postedAt < ? ORDER BY postedAt, rowid",
            arguments: [from, to])
        while let row = try rows.next() { try body(try entry(row)) }
    }

    /// Each account and each currency posted to within `[from, to)`, with its first posting's
    /// instant: what an export declares before its entries.
    func journalFirstUses(from: Int64, to: Int64) throws -> (
        accounts: [PlainTextJournal.FirstUse<Account>], currencies: [PlainTextJournal.FirstUse<Currency>]
    ) {
        let accounts = try SQLRow.fetchAll(
            db,
            sql: """
                SELECT account, min(postedAt) AS first FROM posting WHERE postedAt >= ? AND postedAt < ?
                GROUP BY account ORDER BY account
                """,
            arguments: [from, to]
        ).map { PlainTextJournal.FirstUse(try Account($0["account"]), postedAt: $0["first"]) }
        let currencies = try SQLRow.fetchAll(
            db,
            sql: """
                SELECT currency, min(postedAt) AS first FROM posting WHERE postedAt >= ? AND postedAt < ?
                GROUP BY currency ORDER BY currency
                """,
            arguments: [from, to]
        ).map { PlainTextJournal.FirstUse(try Currency(code: $0["currency"]), postedAt: $0["first"]) }
        return (accounts, currencies)
    }

    private func entry(_ row: SQLRow) throws -> JournalEntry {
        let id: String = row["id"]
        let postings = try SQLRow.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM posting WHERE entryId = ? ORDER BY position"), arguments: [id]
        ).map {
            Posting(
                account: try Account($0["account"]), amountMinor: $0["amountMinor"],
                currency: try Currency(code: $0["currency"]))
        }
        return try JournalEntry.balanced(
            id: .init(id), postedAt: row["postedAt"], description: row["description"], sourceType: row["sourceType"],
            sourceId: row["sourceId"], postings: postings)
    }

    /// An account's balance from the entries posted at or before `asOf`.
    func accountBalance(_ account: Account, _ currency: Currency, asOf: Int64) throws -> Int64 {
        try Int64.fetchOne(
            db.cachedStatement(
                sql:
                    "SELECT coalesce(sum(amountMinor), 0) FROM posting WHERE account = ? AND currency = ? AND postedAt <= ?"
            ),
            arguments: [account.name, currency.code, asOf]) ?? 0
    }

    /// The balance of every account below `parent` (all time), per account and currency, in one
    /// range scan of the account index.
    func balances(below parent: String) throws -> [String: [Currency: Int64]] {
        var result: [String: [Currency: Int64]] = [:]
        for row in try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT account, currency, sum(amountMinor) AS total FROM posting
                    WHERE account > ?1 || ':' AND account < ?1 || ';' GROUP BY account, currency
                    """),
            arguments: [parent])
        {
            result[row["account"], default: [:]][try Currency(code: row["currency"])] = row["total"]
        }
        return result
    }

    /// `balances(below:)` counting only entries from `sources`.
    func balances(below parent: String, sources: [String]) throws -> [String: [Currency: Int64]] {
        var result: [String: [Currency: Int64]] = [:]
        for row in try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT p.account, p.currency, sum(p.amountMinor) AS total
                    FROM posting p JOIN journalEntry e ON e.id = p.entryId
                    WHERE p.account > ? || ':' AND p.account < ? || ';'
                        AND e.sourceType IN (\(sources.map { _ in "?" }.joined(separator: ", ")))
                    GROUP BY p.account, p.currency
                    """),
            arguments: SQLArguments([parent, parent] + sources))
        {
            result[row["account"], default: [:]][try Currency(code: row["currency"])] = row["total"]
        }
        return result
    }

    /// The balance of `account` and every account below it, per currency, as of `asOf`.
    func balance(of account: Account, asOf: Int64) throws -> [Currency: Int64] {
        var result: [Currency: Int64] = [:]
        for row in try SQLRow.fetchAll(
            db,
            sql: """
                SELECT currency, sum(amountMinor) AS total FROM posting
                WHERE (account = ? OR (account > ? AND account < ?)) AND postedAt <= ?
                GROUP BY currency
                """,
            arguments: [account.name, account.name + ":", account.name + ";", asOf])
        {
            result[try Currency(code: row["currency"])] = row["total"]
        }
        return result
    }

    /// Every account's balance per currency as of `asOf`, sorted by account (zero balances left
    /// out).
    func accountBalances(asOf: Int64) throws -> [AccountBalance] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT account, currency, sum(amountMinor) AS total FROM posting
                WHERE postedAt <= ? GROUP BY account, currency HAVING sum(amountMinor) != 0
                ORDER BY account, currency
                """,
            arguments: [asOf]
        ).map { row in
            AccountBalance(
                account: try Account(row["account"]), currency: try Currency(code: row["currency"]),
                amountMinor: row["total"])
        }
    }

    /// The sum of all postings per currency (always zero).
    func trialBalance() throws -> [Currency: Int64] {
        var result: [Currency: Int64] = [:]
        for row in try SQLRow.fetchAll(
            db, sql: "SELECT currency, sum(amountMinor) AS total FROM posting GROUP BY currency")
        {
            result[try Currency(code: row["currency"])] = row["total"]
        }
        return result
    }
}

/// The posting inserts of 1 to 64 rows, built once (not per entry on the billing run's path).
private let postingInserts: [String] = (1...64).map { count in
    "INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt, customerId) VALUES "
        + Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: count).joined(separator: ", ")
}
