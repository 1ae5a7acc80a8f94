/// The rules a meter event meets when it is recorded (SPEC §2.2), as pure functions of values.
public enum EventRules {
    /// Accepts a timestamp from `maxAgeSeconds` before `now` to `maxFutureSeconds` after it, both
    /// ends included (Stripe's window: 35 days back, 5 minutes ahead).
    ///
    /// The bounds are compared in Int128, so an extreme `now` or window never overflows.
    /// - Throws: `timestamp_outside_window` naming the timestamp and the window.
    public static func checkWindow(
        timestamp: Int64, now: Int64, maxAgeSeconds: Int64 = Limits.eventMaxAgeSeconds,
        maxFutureSeconds: Int64 = Limits.eventMaxFutureSeconds
    ) throws {
        let earliest = Int128(now) - Int128(maxAgeSeconds)
        let latest = Int128(now) + Int128(maxFutureSeconds)
        guard Int128(timestamp) < earliest || Int128(timestamp) > latest else { return }
        throw LedgerError(
            .timestampOutOfWindow,
            "timestamp \(describe(timestamp)) is outside the accepted window (\(maxAgeSeconds / 86_400) days before now to \(maxFutureSeconds / 60) minutes after)",
            param: "timestamp")
    }

    /// ISO 8601 (as `Instant.format`), or Unix seconds within a day of `Int64.min`, where
    /// `Instant.format` would overflow: a rejected timestamp is user input and must not trap.
    static func describe(_ timestamp: Int64) -> String {
        timestamp >= Int64.min + 86_399 ? Instant.format(timestamp) : "\(timestamp) (Unix seconds)"
    }

    /// Accepts an identifier of 1 to `Limits.eventIdentifierLengthMax` bytes of UTF-8.
    /// - Throws: `invalid_request` (param `identifier`).
    public static func checkIdentifier(_ identifier: String) throws {
        guard identifier.isEmpty || identifier.utf8.count > Limits.eventIdentifierLengthMax else { return }
        throw LedgerError.invalidRequest(
            "identifier must be 1–\(Limits.eventIdentifierLengthMax) characters", param: "identifier")
    }

    /// Whether an event at `timestamp` is late: it falls in a metered period `[start, end)` whose
    /// invoice is already finalized. A late event is stored and summarized but never billed
    /// retroactively; `reconcile` lists it as unbilled usage.
    ///
    /// - Parameter finalizedPeriods: the finalized metered periods of the event's customer and
    ///   meter (`finalizedPeriods(of:customer:meter:)`).
    public static func isLate(timestamp: Int64, finalizedPeriods: [Range<Int64>]) -> Bool {
        finalizedPeriods.contains { $0.contains(timestamp) }
    }

    /// Whether a recorded event is billed on a finalized invoice: it falls in a finalized period
    /// and is not late (a late event arrived after its period's invoice and was never billed).
    /// Such an event cannot be cancelled (`event_already_invoiced`).
    public static func isBilled(_ event: MeterEvent, finalizedPeriods: [Range<Int64>]) -> Bool {
        !event.late && finalizedPeriods.contains { $0.contains(event.timestamp) }
    }

    /// The periods `[periodStart, periodEnd)` of the lines billing `meter` for `customer` on
    /// invoices past draft (open, paid, void or uncollectible: a voided invoice's usage was
    /// finalized too), in invoice and line order. The first invoice of a subscription is left
    /// out: its metered lines are placeholders for a period not yet used.
    public static func finalizedPeriods(of invoices: [Invoice], customer: Customer.ID, meter: Meter.ID)
        -> [Range<Int64>]
    {
        var periods: [Range<Int64>] = []
        for invoice in invoices
        where invoice.customer == customer && invoice.status != .draft && invoice.billingReason != .subscriptionCreate {
            for line in invoice.lines where line.meter == meter && line.periodStart < line.periodEnd {
                periods.append(line.periodStart..<line.periodEnd)
            }
        }
        return periods
    }
}
