/// What the billing run reads to find the next due step, and the clock that only moves forward.
extension StorageTransaction {
    /// The earliest draft due by `until` and not failed: its ID, customer and instant.
    func nextDueDraft(until: Int64) throws -> (id: Invoice.ID, customer: Customer.ID, at: Int64)? {
        try SQLRow.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT id, customerId, finalizesAt FROM invoice
                    WHERE status = 'draft' AND finalizesAt <= ? AND failedAt IS NULL
                    ORDER BY finalizesAt, seq LIMIT 1
                    """),
            arguments: [until]
        ).map { (Invoice.ID($0["id"]), Customer.ID($0["customerId"]), $0["finalizesAt"]) }
    }

    /// The earliest active subscription whose period ends by `until`.
    func nextDuePeriod(until: Int64) throws -> (id: Subscription.ID, at: Int64)? {
        try SQLRow.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT id, currentPeriodEnd FROM subscription WHERE status = 'active' AND currentPeriodEnd <= ?
                    ORDER BY currentPeriodEnd, seq LIMIT 1
                    """),
            arguments: [until]
        ).map { (Subscription.ID($0["id"]), $0["currentPeriodEnd"]) }
    }

    /// The active subscriptions whose current period ends by `until`.
    func subscriptionsDue(until: Int64) throws -> [Subscription] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM subscription WHERE status = 'active' AND currentPeriodEnd <= ?
                    ORDER BY currentPeriodEnd, seq
                    """),
            arguments: [until]
        ).map { try subscription($0) }
    }

    /// The active subscriptions whose current period ends at exactly `instant`, in the order
    /// the billing run closes them (at most `limit`).
    func subscriptionsDue(at instant: Int64, limit: Int) throws -> [Subscription] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM subscription WHERE status = 'active' AND currentPeriodEnd = ? ORDER BY seq LIMIT ?
                    """),
            arguments: [instant, limit]
        ).map { try subscription($0) }
    }

    // MARK: The clock

    /// The latest processed instant and the earliest instant any step is due (a draft's
    /// finalization, a period's end, an expiry, an alert to judge; nil when nothing is scheduled),
    /// in one statement over four indexes: what every time-dependent write and every billing batch reads first.
    func clockAndNextDue() throws -> (processedThrough: Int64, nextDueAt: Int64?) {
        let row = try stored(
            SQLRow.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT processedThrough, min(
                            coalesce((SELECT min(finalizesAt) FROM invoice WHERE status = 'draft'
                                AND finalizesAt IS NOT NULL AND failedAt IS NULL), 9223372036854775807),
                            coalesce((SELECT min(currentPeriodEnd) FROM subscription WHERE status = 'active'),
                                9223372036854775807),
                            coalesce((SELECT min(expiresAt) FROM creditGrant
                                WHERE expiryBookedAt IS NULL AND voidedAt IS NULL), 9223372036854775807),
                            coalesce((SELECT min(nextCheckAt) FROM alert
                                WHERE status = 'active' AND nextCheckAt IS NOT NULL), 9223372036854775807)) AS nextDue
                        FROM ledgerClock WHERE id = 1
                        """)),
            "clock")
        let next: Int64 = row["nextDue"]
        return (row["processedThrough"], next == .max ? nil : next)
    }

    /// Moves the processed mark forward to `now` (the row is written only when it moves).
    func advanceProcessed(to now: Int64) throws {
        try db.cachedStatement(sql: "UPDATE ledgerClock SET processedThrough = ? WHERE id = 1 AND processedThrough < ?")
            .execute(arguments: [now, now])
    }
}
