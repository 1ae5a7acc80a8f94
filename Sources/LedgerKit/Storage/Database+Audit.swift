/// What `verify` reads: the file's own checks and the figures it compares.
extension StorageTransaction {
    /// SQLite's own check of the file: `["ok"]` when it is sound. `full` runs `integrity_check`
    /// (every index against its table, UNIQUE and CHECK constraints: seconds per million rows);
    /// otherwise `quick_check` (the b-tree structure, page use and record formats, in a tenth
    /// of the time).
    /// A PostgreSQL server checks its own storage (page checksums, WAL): nothing is asked of it.
    func integrityCheck(full: Bool) throws -> [String] {
        guard db.backend == .sqlite else { return ["ok"] }
        return try String.fetchAll(db, sql: full ? "PRAGMA integrity_check" : "PRAGMA quick_check")
    }

    /// The rows that reference a missing object, other than postings (`journalSums` counts
    /// those in its pass). SQLite's `foreign_key_check` looks each row's parents up; the events
    /// are checked set-based instead, per customer and meter through the usage index (a third of
    /// the time at a million events), as long as their keys are the two this schema declares.
    /// PostgreSQL enforces its foreign keys in every session (SQLite only when the connection
    /// asks): there are none to find.
    func foreignKeyViolations() throws -> Int {
        guard db.backend == .sqlite else { return 0 }
        let keys = try SQLRow.fetchAll(
            db,
            sql: """
                SELECT m.name AS child, f."from" AS column, f."table" AS parent, f."to" AS parentColumn
                FROM sqlite_schema m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'
                ORDER BY 1, 2
                """
        ).map {
            (
                $0["child"] as String,
                "\($0["column"] as String)>\($0["parent"] as String).\($0["parentColumn"] as String?  ?? "")"
            )
        }
        let declared = Dictionary(grouping: keys, by: \.0).mapValues { $0.map(\.1).sorted() }
        var count = 0
        for table in declared.keys.sorted() {
            switch (table, declared[table]!) {
            case ("posting", ["entryId>journalEntry.id"]):
                continue
            case ("meterEvent", ["customerSeq>customer.seq", "meterSeq>meter.seq"]):
                count +=
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT coalesce(sum(n), 0) FROM (
                                SELECT customerSeq, meterSeq, count(*) AS n FROM meterEvent GROUP BY customerSeq, meterSeq) g
                            WHERE NOT EXISTS (SELECT 1 FROM customer WHERE seq = g.customerSeq)
                                OR NOT EXISTS (SELECT 1 FROM meter WHERE seq = g.meterSeq)
                            """) ?? 0
            default:
                count += try SQLRow.fetchAll(db, sql: "PRAGMA foreign_key_check(\"\(table)\")").count
            }
        }
        return count
    }

    /// The journal's sums in one pass over the postings (grouped by entry and currency, in the
    /// table's key order): each currency's total (the trial balance), the entries whose
    /// postings do not sum to zero in some currency, and the postings of no entry (looked up
    /// once per entry and currency, not once per posting).
    func journalSums() throws -> (totals: [Currency: Int64], unbalanced: [String], orphans: Int) {
        var totals: [Currency: Int64] = [:]
        var unbalanced: [String] = []
        var orphans = 0
        let rows = try SQLRow.fetchCursor(
            db,
            sql: """
                SELECT p.entryId, p.currency, sum(p.amountMinor) AS total, count(*) AS postings,
                    EXISTS (SELECT 1 FROM journalEntry e WHERE e.id = p.entryId) AS known
                FROM posting p GROUP BY p.entryId, p.currency ORDER BY p.entryId, p.currency
                """)
        while let row = try rows.next() {
            let currency = try Currency(code: row["currency"])
            let total: Int64 = row["total"]
            let (sum, overflow) = (totals[currency] ?? 0).addingReportingOverflow(total)
            if overflow { throw LedgerError.amountOverflow("the \(currency.code) postings do not fit 64 bits") }
            totals[currency] = sum
            let entry: String = row["entryId"]
            if total != 0 && unbalanced.last != entry { unbalanced.append(entry) }
            if !(row["known"] as Bool) { orphans += row["postings"] as Int }
        }
        return (totals, unbalanced, orphans)
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
        try SQLRow.fetchAll(
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
        try SQLRow.fetchAll(
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
