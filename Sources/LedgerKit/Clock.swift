import GRDB

/// Time is data: every scheduled step (a period closing, a draft finalizing, a grant expiring)
/// takes effect at its own instant, whether the billing run ran then or later. A write at `now`
/// therefore first brings every step due by `now` up to date, inside its own transaction, so it
/// sees exactly the state it would have seen had `bill` run at each instant; and the clock only
/// moves forward.
extension Ledger {
    /// Runs a time-dependent write at `now` (the operation's one reading of the clock), in one
    /// transaction: refuses a clock that went back, runs every step due by `now`, moves the clock
    /// forward, then `body`.
    /// - Throws: `clock_regression`, or what the steps or `body` throw.
    func write<T>(at now: Int64, _ body: (Database) throws -> T) throws -> T {
        let allowRegression = allowClockRegression
        return try store.write { db in
            try Self.advanceClock(db, to: now, allowRegression: allowRegression)
            var report = BillReport()
            var cache: [Price.ID: PriceInfo] = [:]
            _ = try Self.runDueSteps(db, until: now, report: &report, cache: &cache, limit: nil)
            return try body(db)
        }
    }

    /// The latest instant a time-dependent write has run at.
    static func processedThrough(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT processedThrough FROM ledgerClock WHERE id = 1"))!
    }

    /// Refuses `now` before the latest processed instant (unless allowed), then moves the mark
    /// to `now`. The row is written only when the mark moves.
    static func advanceClock(_ db: Database, to now: Int64, allowRegression: Bool) throws {
        let through = try processedThrough(db)
        if now < through && !allowRegression {
            throw LedgerError(
                .clockRegression,
                "now (\(Instant.format(now))) is before \(Instant.format(through)), the latest instant this ledger has already processed; the clock only moves forward",
                param: "now")
        }
        try db.cachedStatement(sql: "UPDATE ledgerClock SET processedThrough = ? WHERE id = 1 AND processedThrough < ?")
            .execute(arguments: [now, now])
    }

    /// The earliest instant any step is due (a draft's finalization, a period's end, an expiry),
    /// or nil when nothing is scheduled. One statement over three indexes.
    static func nextDueAt(_ db: Database) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT min(
                        coalesce((SELECT min(finalizesAt) FROM invoice WHERE status = 'draft' AND finalizesAt IS NOT NULL
                            AND failedAt IS NULL), 9223372036854775807),
                        coalesce((SELECT min(currentPeriodEnd) FROM subscription WHERE status = 'active'),
                            9223372036854775807),
                        coalesce((SELECT min(expiresAt) FROM creditGrant WHERE expiryBookedAt IS NULL AND voidedAt IS NULL),
                            9223372036854775807))
                    """)
        ).flatMap { $0 == .max ? nil : $0 }
    }

    /// Runs, in time order, the steps due by `until`, each at its own instant: at most `limit`
    /// of them (all when nil). Returns whether nothing due is left.
    ///
    /// At one instant, expiries go first (a grant expiring at t pays nothing at t), then
    /// finalizations, then period closings. A draft whose amounts do not fit is left a draft with
    /// its reason (`amount_overflow`), and the run goes on with every other step.
    static func runDueSteps(
        _ db: Database, until: Int64, report: inout BillReport, cache: inout [Price.ID: PriceInfo], limit: Int?
    ) throws -> Bool {
        guard let first = try nextDueAt(db), first <= until else { return true }
        var steps = 0
        while limit.map({ steps < $0 }) ?? true {
            steps += 1
            let draft = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, customerId, finalizesAt FROM invoice
                        WHERE status = 'draft' AND finalizesAt <= ? AND failedAt IS NULL
                        ORDER BY finalizesAt, seq LIMIT 1
                        """),
                arguments: [until])
            let expiry = try nextExpiry(db, until: until)
            let period = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT id, currentPeriodEnd FROM subscription WHERE status = 'active' AND currentPeriodEnd <= ?
                        ORDER BY currentPeriodEnd, seq LIMIT 1
                        """),
                arguments: [until])
            let draftAt: Int64? = draft?["finalizesAt"]
            let periodAt: Int64? = period?["currentPeriodEnd"]
            if let (grantID, expiresAt) = expiry, expiresAt <= min(draftAt ?? .max, periodAt ?? .max) {
                try bookExpiry(db, try fetchGrant(db, grantID), at: expiresAt, now: expiresAt)
                report.grantsExpired += 1
                continue
            }
            if let draft, let at = draftAt, at <= periodAt ?? .max {
                let id = Invoice.ID(draft["id"])
                do {
                    try db.inSavepoint {
                        _ = try finalize(id, at: at, db, cache: &cache)
                        return .commit
                    }
                    report.invoicesFinalized += 1
                } catch let error as LedgerError where error.code == .amountOverflow {
                    try markFailed(db, id, error, at: at)
                    report.failures.append(
                        FinalizationFailure(
                            invoice: id, customer: .init(draft["customerId"]), at: at, code: error.code,
                            message: error.message))
                }
                continue
            }
            if let period {
                let (invoice, ended) = try closePeriod(db, .init(period["id"] as String), cache: &cache)
                if invoice != nil { report.invoicesCreated += 1 }
                if ended { report.subscriptionsEnded += 1 }
                continue
            }
            return true
        }
        return false
    }

    /// Leaves a draft unfinalized with the reason its finalization at `instant` failed.
    static func markFailed(_ db: Database, _ id: Invoice.ID, _ error: LedgerError, at instant: Int64) throws {
        try db.cachedStatement(
            sql:
                "UPDATE invoice SET failureCode = ?, failureMessage = ?, failedAt = ? WHERE id = ? AND status = 'draft'"
        ).execute(arguments: [error.code.rawValue, error.message, instant, id.rawValue])
    }
}
