/// Time is data: every scheduled step (a period closing, a draft finalizing, a grant expiring)
/// takes effect at its own instant, whether the billing run ran then or later. A write at `now`
/// therefore first brings every step due by `now` up to date, inside its own transaction, so it
/// sees exactly the state it would have seen had `bill` run at each instant; and the clock only
/// moves forward.
extension Ledger {
    /// Runs a time-dependent write in one transaction: refuses a clock that went back, runs every
    /// step due by now, moves the clock forward, then `body` with the instant it runs at.
    ///
    /// That instant is the clock read again once the write lock is held (never before
    /// `requested`, the operation's first reading): a writer that waited for another's
    /// transaction runs after it in time too, so concurrent writers on one clock never see the
    /// clock go back. A clock that really went back is still refused.
    /// - Throws: `clock_regression`, `invalid_time`, `too_many_periods` (a subscription has more
    ///   periods due than `Limits.billPeriodsPerSubscriptionMax`: `bill(maxPeriods:)` closes them
    ///   first), or what the steps or `body` throw.
    func write<T>(at requested: Int64, _ body: (StorageTransaction, Int64) throws -> T) throws -> T {
        let allowRegression = allowClockRegression
        return try store.write { tx in
            let now = max(requested, try self.now)
            if let nextDue = try Self.advanceClock(tx, to: now, allowRegression: allowRegression), nextDue <= now {
                try Self.checkPeriodsDue(tx, until: now, maxPeriods: Limits.billPeriodsPerSubscriptionMax)
                var report = BillReport()
                var cache: [Price.ID: PriceInfo] = [:]
                _ = try Self.runDueSteps(tx, until: now, report: &report, cache: &cache, limit: nil)
            }
            return try body(tx, now)
        }
    }

    /// Refuses `now` before the latest processed instant (unless allowed), moves the mark to
    /// `now`, and returns the instant the next step is due (nil when nothing is scheduled): one
    /// statement on the hot path of every recorded event.
    static func advanceClock(_ tx: StorageTransaction, to now: Int64, allowRegression: Bool) throws -> Int64? {
        let (through, nextDue) = try tx.clockAndNextDue()
        try checkClock(now, through: through, allowRegression: allowRegression)
        if now > through { try tx.advanceProcessed(to: now) }
        return nextDue
    }

    /// - Throws: `clock_regression` when `now` is before `through` and that is not allowed.
    /// - Throws: `too_many_periods` when a subscription has more than `maxPeriods` periods due by
    ///   `until`: nothing is closed then.
    static func checkPeriodsDue(_ tx: StorageTransaction, until: Int64, maxPeriods: Int) throws {
        for subscription in try tx.subscriptionsDue(until: until) {
            try subscription.checkPeriodsDue(until: until, maxPeriods: maxPeriods)
        }
    }

    static func checkClock(_ now: Int64, through: Int64, allowRegression: Bool) throws {
        if now < through && !allowRegression {
            throw LedgerError(
                .clockRegression,
                "now (\(Instant.format(now))) is before \(Instant.format(through)), the latest instant this ledger has already processed; the clock only moves forward",
                param: "now")
        }
    }

    /// Runs, in time order, the steps due by `until`, each at its own instant: at most `limit`
    /// of them (all when nil). Returns whether nothing due is left. Callers skip it when
    /// `advanceClock` says nothing is due by `until`.
    ///
    /// At one instant, expiries go first (a grant expiring at t pays nothing at t), then
    /// finalizations, then period closings. A draft whose amounts do not fit is left a draft with
    /// its reason (`amount_overflow`), and the run goes on with every other step.
    ///
    /// The steps of one kind due at one instant are read as one batch, in the order the
    /// step-by-step run took them (`seq`): no step of a batch changes what another reads, and
    /// the drafts a batch of closings makes due at the same instant (no grace) are the next
    /// batch, finalized in the order they were made, as before.
    static func runDueSteps(
        _ tx: StorageTransaction, until: Int64, report: inout BillReport, cache: inout [Price.ID: PriceInfo],
        limit: Int?
    ) throws -> Bool {
        var steps = 0
        func left() -> Int { limit.map { $0 - steps } ?? Int.max }
        while left() > 0 {
            let draft = try tx.nextDueDraft(until: until)
            let expiry = try tx.nextExpiry(until: until)
            let period = try tx.nextDuePeriod(until: until)
            let judgment = try tx.nextAlertCheck(until: until)
            let others = min(draft?.at ?? .max, period?.at ?? .max, expiry?.1 ?? .max)
            // An alert is judged at an instant after that instant's other steps.
            if let judgment, judgment.at < others {
                try judgeAlerts(tx, customer: judgment.customer, through: judgment.at)
                steps += 1
                continue
            }
            if let (grantID, expiresAt) = expiry, expiresAt <= min(draft?.at ?? .max, period?.at ?? .max) {
                try bookExpiry(tx, try tx.fetchGrant(grantID), at: expiresAt, now: expiresAt)
                let expired = try tx.fetchGrant(grantID)
                try tx.appendFeed(.grantUpdated, .grant(expired), at: expiresAt)
                try judgeAlerts(tx, customer: expired.customer, through: expiresAt)
                report.grantsExpired += 1
                steps += 1
                continue
            }
            if let draft, draft.at <= period?.at ?? .max {
                for due in try tx.draftsDue(at: draft.at, limit: min(left(), Limits.billStepsPerTransaction)) {
                    try finalizeDue(tx, due, report: &report, cache: &cache)
                    steps += 1
                }
                continue
            }
            if let period {
                let due = try tx.subscriptionsDue(at: period.at, limit: min(left(), Limits.billStepsPerTransaction))
                for subscription in due {
                    let (invoice, ended) = try closePeriod(tx, subscription, cache: &cache)
                    if invoice != nil { report.invoicesCreated += 1 }
                    if ended { report.subscriptionsEnded += 1 }
                    steps += 1
                }
                continue
            }
            return true
        }
        return false
    }

    /// Finalizes one due draft at its instant. No savepoint per step (it made SQLite copy every
    /// page a step touched, a fifth of the run): a finalization writes only once its plan has
    /// succeeded, so one whose amounts do not fit is marked failed, and one that fails after
    /// writing anything stops the run, rolling its transaction back.
    private static func finalizeDue(
        _ tx: StorageTransaction, _ draft: Invoice, report: inout BillReport, cache: inout [Price.ID: PriceInfo]
    ) throws {
        let at = draft.finalizesAt!
        let written = tx.changes
        do {
            _ = try finalize(draft, at: at, tx, cache: &cache)
            report.invoicesFinalized += 1
        } catch let error as LedgerError where error.code == .amountOverflow && tx.changes == written {
            try tx.markFailed(draft.id, error, at: at)
            report.failures.append(
                FinalizationFailure(
                    invoice: draft.id, customer: draft.customer, at: at, code: error.code, message: error.message))
        }
    }
}

extension Ledger {
    /// Runs `body` as of `instant` with every step due by then (and by now) applied, whether or
    /// not a billing run has booked it: a period's allowance, a draft's finalization with its
    /// burndown and rollover, an expiry. When a step is due and not booked, the steps run in a
    /// transaction rolled back after `body`, so the read sees what `bill` would then book and
    /// the file stays as it was. Nothing due: a plain read.
    func readBooked<T>(asOf instant: Int64, now: Int64, _ body: (StorageTransaction) throws -> T) throws -> T {
        let through = min(instant, now)
        // Nearly always nothing is due: one read transaction, the check and the body in it.
        var result: T?
        try store.read { tx in
            if let due = try tx.clockAndNextDue().nextDueAt, due <= through { return }
            result = try body(tx)
        }
        if let result { return result }
        do {
            return try store.simulate { tx in
                var report = BillReport()
                var cache: [Price.ID: PriceInfo] = [:]
                _ = try Self.runDueSteps(tx, until: through, report: &report, cache: &cache, limit: nil)
                return try body(tx)
            }
        } catch let error as LedgerError where error.code == .readOnly || error.code == .busy {
            // A file this process cannot write, or another process writing now (a read never
            // waits for a writer): the booked state, with expiries due subtracted on read and
            // drafts holding their credit; what only the steps make (a new period's allowance, a
            // rollover) waits for them.
            return try store.read(body)
        }
    }

    /// Processes, in time order up to `until` (default now), every due subscription period,
    /// every draft whose finalization time has come and every expiry, each at its own scheduled
    /// instant. Running it again changes nothing; running it in steps gives the same result as
    /// one run. A draft that cannot be finalized (`amount_overflow`) is left a draft with its
    /// reason and listed in the report; every other step goes on. `onProgress` hears the running
    /// totals after each committed batch of steps.
    ///
    /// At most `maxPeriods` periods of one subscription are closed in one run: a run that would
    /// close more (a long gap, a clock that jumped) is refused before anything is written, and a
    /// caller who means it passes a larger `maxPeriods`.
    /// - Throws: `invalid_time` when `until` or now is outside `Instant.range`; `invalid_request`
    ///   when `until` is after now (a period that has not ended would be billed, and its later
    ///   usage lost to it) or `maxPeriods` is below 1; `too_many_periods`, `clock_regression`,
    ///   `storage_error`, `busy`; steps already committed stay.
    public func bill(
        until: Int64? = nil, maxPeriods: Int = Limits.billPeriodsPerSubscriptionMax,
        onProgress: (BillReport) -> Void = { _ in }
    ) throws -> BillReport {
        let now = try self.now
        if let until { try Instant.check(until, param: "until") }
        guard maxPeriods >= 1 else {
            throw LedgerError.invalidRequest("max_periods must be at least 1", param: "max_periods")
        }
        let until = until ?? now
        guard until <= now else {
            throw LedgerError.invalidRequest(
                "until \(Instant.format(until)) is after now (\(Instant.format(now))): a billing run never bills a period before it has ended",
                param: "until")
        }
        let allowRegression = allowClockRegression
        var report = BillReport()
        var finished = false
        var checked = false
        while !finished {
            // Up to `billStepsPerTransaction` steps per transaction: each step's state is
            // re-read inside it, so concurrent runs never process a step twice. A transaction
            // that runs again (a lost conflict, on PostgreSQL) starts from the same report.
            let (startReport, startChecked) = (report, checked)
            try store.write { tx in
                (report, checked) = (startReport, startChecked)
                // The clock read again under the write lock (see `write(at:_:)`).
                let current = max(now, try self.now)
                guard let nextDue = try Self.advanceClock(tx, to: current, allowRegression: allowRegression),
                    nextDue <= until
                else {
                    finished = true
                    return
                }
                // Judged once, in the first transaction, before any step of the run is written.
                if !checked { try Self.checkPeriodsDue(tx, until: until, maxPeriods: maxPeriods) }
                checked = true
                var cache: [Price.ID: PriceInfo] = [:]
                finished = try Self.runDueSteps(
                    tx, until: until, report: &report, cache: &cache, limit: Limits.billStepsPerTransaction)
            }
            onProgress(report)
        }
        return report
    }
}
