import GRDB

/// What `verify` reads: the file's own checks and the figures it compares.
extension StorageTransaction {
    /// SQLite's own check of the file: `["ok"]` when it is sound. `full` runs `integrity_check`
    /// (every index against its table, UNIQUE and CHECK constraints: seconds per million rows);
    /// otherwise `quick_check` (the b-tree structure, page use and record formats, in a tenth
    /// of the time).
    func integrityCheck(full: Bool) throws -> [String] {
        try String.fetchAll(db, sql: full ? "PRAGMA integrity_check" : "PRAGMA quick_check")
    }

    /// How many rows reference a missing object.
    func foreignKeyViolations() throws -> Int { try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count }

    /// The currencies whose postings do not sum to zero, with their sums.
    func unbalancedCurrencies() throws -> [(Currency, Int64)] {
        try Row.fetchAll(
            db, sql: "SELECT currency, sum(amountMinor) AS total FROM posting GROUP BY currency HAVING total != 0"
        ).map { (try Currency(code: $0["currency"]), $0["total"]) }
    }

    /// The entries whose postings do not sum to zero in some currency.
    func unbalancedEntries() throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT entryId FROM posting GROUP BY entryId, currency HAVING sum(amountMinor) != 0")
    }

    /// How many postings belong to no entry.
    func orphanPostings() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM posting WHERE entryId NOT IN (SELECT id FROM journalEntry)")
            ?? 0
    }

    /// One invoice's stored amounts beside the sum of its lines and its posted receivable.
    struct InvoiceAudit {
        var id: String
        var status: String
        var currency: Currency
        var subtotal, total, amountDue, amountPaid, amountRemaining, lineSum, posted: Int64
    }

    /// Every invoice that is not a failed draft, with what `verify` compares.
    func invoiceAudits() throws -> [InvoiceAudit] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT i.id, i.status, i.currency, i.subtotal, i.total, i.amountDue, i.amountPaid, i.amountRemaining,
                    (SELECT coalesce(sum(amount), 0) FROM invoiceLine WHERE invoiceId = i.id) AS lineSum,
                    (SELECT coalesce(sum(p.amountMinor), 0) FROM journalEntry e JOIN posting p ON p.entryId = e.id
                     WHERE e.sourceType = 'invoice.finalized' AND e.sourceId = i.id
                       AND p.account = 'assets:receivable:' || i.customerId) AS posted
                FROM invoice i WHERE i.failureCode IS NULL
                """
        ).map { row in
            InvoiceAudit(
                id: row["id"], status: row["status"], currency: try Currency(code: row["currency"]),
                subtotal: row["subtotal"], total: row["total"], amountDue: row["amountDue"],
                amountPaid: row["amountPaid"], amountRemaining: row["amountRemaining"], lineSum: row["lineSum"],
                posted: row["posted"])
        }
    }

    /// Drafts the billing run could not finalize: ID, customer, code, message, and the instant.
    func failedDrafts() throws -> [(id: String, customer: String, code: String, message: String, at: Int64?)] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT id, customerId, failureCode, failureMessage, coalesce(failedAt, finalizesAt) AS at FROM invoice
                WHERE failureCode IS NOT NULL ORDER BY seq
                """
        ).map { ($0["id"], $0["customerId"], $0["failureCode"], $0["failureMessage"], $0["at"]) }
    }

    /// The invoice numbers taken, ascending, and the counter's next value.
    func invoiceNumbers() throws -> (taken: [Int64], next: Int64) {
        let taken = try Int64.fetchAll(
            db, sql: "SELECT CAST(substr(number, 5) AS INTEGER) FROM invoice WHERE number IS NOT NULL ORDER BY 1")
        let next = try Int64.fetchOne(db, sql: "SELECT next FROM invoiceCounter WHERE name = 'invoice'") ?? 1
        return (taken, next)
    }
}
