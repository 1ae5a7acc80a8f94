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

    /// The rows that reference a missing object: how many postings name no journal entry, and
    /// how many other rows.
    func foreignKeyViolations() throws -> (orphanPostings: Int, others: Int) {
        var result = (orphanPostings: 0, others: 0)
        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") {
            if row[0] as String == "posting" && row[2] as String == "journalEntry" {
                result.orphanPostings += 1
            } else {
                result.others += 1
            }
        }
        return result
    }

    /// The journal's sums in one pass over the postings (grouped by entry and currency, in the
    /// table's key order): each currency's total (the trial balance) and the entries whose
    /// postings do not sum to zero in some currency. (Postings of no entry are found by the
    /// foreign key check.)
    func journalSums() throws -> (totals: [Currency: Int64], unbalanced: [String]) {
        var totals: [Currency: Int64] = [:]
        var unbalanced: [String] = []
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT entryId, currency, sum(amountMinor) AS total FROM posting
                GROUP BY entryId, currency ORDER BY entryId, currency
                """)
        while let row = try rows.next() {
            let currency = try Currency(code: row["currency"])
            let total: Int64 = row["total"]
            let (sum, overflow) = (totals[currency] ?? 0).addingReportingOverflow(total)
            if overflow { throw LedgerError.amountOverflow("the \(currency.code) postings do not fit 64 bits") }
            totals[currency] = sum
            let entry: String = row["entryId"]
            if total != 0 && unbalanced.last != entry { unbalanced.append(entry) }
        }
        return (totals, unbalanced)
    }

    /// One invoice's stored amounts beside the sum of its lines and its posted receivable.
    struct InvoiceAudit {
        var id: String
        var status: String
        var currency: Currency
        var subtotal, total, amountDue, amountPaid, amountRemaining, lineSum, posted: Int64
    }

    /// Every invoice that is not a failed draft, with what `verify` compares. `CROSS JOIN` keeps
    /// SQLite from starting at the customer's receivable postings (every one of them, per
    /// invoice): the entry is found by its source, then its postings by key.
    func invoiceAudits() throws -> [InvoiceAudit] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT i.id, i.status, i.currency, i.subtotal, i.total, i.amountDue, i.amountPaid, i.amountRemaining,
                    (SELECT coalesce(sum(amount), 0) FROM invoiceLine WHERE invoiceId = i.id) AS lineSum,
                    (SELECT coalesce(sum(p.amountMinor), 0) FROM journalEntry e CROSS JOIN posting p ON p.entryId = e.id
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
