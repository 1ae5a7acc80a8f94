import Foundation
import GRDBSQLite
import LedgerKit

/// `ledger bill` of the unbilled file at `path` (grants applied), beside, in each run: the same
/// file without grants billed by the ledger, and the floor: `Tools/bill-floor.sql` writing the
/// same rows set-based in one transaction, on a copy of the same file. Checks once that the floor
/// wrote what the ledger wrote. `path` ends billed (the last run's ledger bill).
func benchBill(_ path: String, bare: String, subscriptions: Int, grants: Int, until: Int64) throws {
    let unbilled = path + ".unbilled"
    let bareUnbilled = bare + ".unbilled"
    try SQLiteHandle(path).backup(to: unbilled)
    try SQLiteHandle(bare).backup(to: bareUnbilled)
    let floorPath = work.appendingPathComponent("bill-floor.sqlite").path
    let script = try String(contentsOf: floorScript, encoding: .utf8)
    var ledger = Spread(), withoutGrants = Spread(), floor = Spread(), rss = Spread()
    var creditRatio = Spread(), floorRatio = Spread()
    for run in 0..<options.runs {
        if run > 0 {
            try SQLiteHandle(unbilled).backup(to: path)
            try SQLiteHandle(bareUnbilled).backup(to: bare)
        }
        let (bareSeconds, _, bareOutput) = try runLedger(["--db", bare, "--now", String(until), "--json", "bill"])
        guard bareOutput.contains("\"invoices_finalized\": \(subscriptions)") else {
            throw BenchError("bill: \(bareOutput)")
        }
        let (seconds, peak, output) = try runLedger(["--db", path, "--now", String(until), "--json", "bill"])
        guard output.contains("\"invoices_finalized\": \(subscriptions)") else { throw BenchError("bill: \(output)") }
        try removeDatabase(floorPath)
        try SQLiteHandle(unbilled).backup(to: floorPath)
        let floorSeconds = try elapsed { try SQLiteHandle(floorPath).exec(script) }
        ledger.add(seconds)
        rss.add(peak)
        withoutGrants.add(bareSeconds)
        floor.add(floorSeconds)
        creditRatio.add(seconds / bareSeconds)
        floorRatio.add(seconds / floorSeconds)
    }
    let same = try fingerprint(path) == fingerprint(floorPath)
    let runs = "median of \(options.runs) (min, max)"
    say(
        "bill \(subscriptions) subscriptions, \(grants) grants for a third of the customers, \(runs): ledger \(ledger.text(2)) s (\(fmt(Double(subscriptions) / ledger.median)) invoices/s, peak RSS \(rss.text(1)) MiB)"
    )
    say("  the same file without grants: \(withoutGrants.text(2)) s; with grants / without \(creditRatio.text(2))")
    say(
        "  floor (Tools/bill-floor.sql, set-based SQL, one transaction, same rows: \(same ? "yes" : "NO")): \(floor.text(2)) s; ledger / floor \(floorRatio.text(2))"
    )
    if !same { throw BenchError("the floor script did not write what the ledger wrote") }
    try removeDatabase(floorPath)
}

/// Tools/bill-floor.sql, found from this file's place in the package.
let floorScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("bill-floor.sql")

/// What a billing run wrote, without the random IDs: every invoice, line, credit application and
/// posting, named by customer and position, and the marks it moved.
func fingerprint(_ path: String) throws -> [String] {
    let db = try SQLiteHandle(path)
    let queries = [
        """
        SELECT customerId, subscriptionId, billingReason, status, number, currency, subtotal, total, amountDue,
            amountPaid, amountRemaining, periodStart, periodEnd, finalizesAt, finalizedAt, created
        FROM invoice ORDER BY customerId, periodEnd, subscriptionId
        """,
        """
        SELECT i.customerId, i.periodEnd, l.position, l.type, l.priceId, l.subscriptionItemId, l.meterSeq,
            l.customerSeq, l.customerId, l.description, l.quantityDecimal, l.amount, l.currency, l.periodStart, l.periodEnd
        FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId ORDER BY i.customerId, i.periodEnd, l.position
        """,
        """
        SELECT t.customerId, t.grantId, t.type, t.kind, t.amount, t.effectiveAt, i.periodEnd, l.position, t.created
        FROM creditBalanceTransaction t LEFT JOIN invoice i ON i.id = t.invoiceId
        LEFT JOIN invoiceLine l ON l.id = t.invoiceLineId ORDER BY t.customerId, t.grantId, t.effectiveAt, t.seq
        """,
        """
        SELECT e.postedAt, e.description, e.sourceType, coalesce(i.customerId, e.sourceId), p.position, p.account,
            p.currency, p.amountMinor, p.postedAt, e.customerId, p.customerId
        FROM posting p JOIN journalEntry e ON e.id = p.entryId LEFT JOIN invoice i ON i.id = e.sourceId
        ORDER BY e.postedAt, e.description, p.position
        """,
        "SELECT id, currentPeriodStart, currentPeriodEnd FROM subscription ORDER BY id",
        "SELECT customerSeq, meterSeq, billedThrough, customerId FROM meterBilledThrough ORDER BY 1, 2",
        "SELECT (SELECT processedThrough FROM ledgerClock), (SELECT billedMax FROM meterEventClock), (SELECT next FROM invoiceCounter)",
    ]
    var rows: [String] = []
    for sql in queries {
        let statement = try db.prepare(sql)
        defer { sqlite3_finalize(statement) }
        while sqlite3_step(statement) == SQLITE_ROW {
            let columns = (0..<sqlite3_column_count(statement)).map { i in
                sqlite3_column_text(statement, i).map { String(cString: $0) } ?? "NULL"
            }
            rows.append(columns.joined(separator: "|"))
        }
    }
    return rows
}
