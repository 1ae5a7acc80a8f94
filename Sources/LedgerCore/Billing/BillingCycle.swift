/// Billing-period arithmetic: boundaries follow the billing cycle anchor, with month-end
/// clamping (an anchor on Jan 31 bills Feb 28 or 29, Mar 31, Apr 30, …).
///
/// Every boundary is computed from the anchor itself (anchor + n intervals, then clamped),
/// never from the previous clamped boundary, so a short month does not pull later boundaries
/// earlier. The time of day of the anchor is kept. Pure, and total over every input: a boundary
/// past `Instant.range` (year 9999) is an error, never an overflow.
public struct BillingCycle: Hashable, Sendable {
    public var anchor: Int64
    public var interval: Price.Interval
    public var intervalCount: Int

    public init(anchor: Int64, interval: Price.Interval, intervalCount: Int) {
        precondition(intervalCount >= 1, "interval_count is validated positive")
        self.anchor = anchor
        self.interval = interval
        self.intervalCount = intervalCount
    }

    /// The n-th boundary after the anchor (n = 0 is the anchor).
    /// - Throws: `invalid_time` when the boundary is outside `Instant.range`.
    public func boundary(_ n: Int64) throws -> Int64 {
        let (steps, overflow) = n.multipliedReportingOverflow(by: Int64(intervalCount))
        guard !overflow else { throw Self.pastRange() }
        switch interval {
        case .day: return try Self.addSeconds(anchor, steps, 86_400)
        case .week: return try Self.addSeconds(anchor, steps, 604_800)
        case .month: return try Self.addMonths(anchor, steps)
        case .year:
            let (months, overflow) = steps.multipliedReportingOverflow(by: 12)
            guard !overflow else { throw Self.pastRange() }
            return try Self.addMonths(anchor, months)
        }
    }

    /// The first boundary strictly after `t` (the anchor when `t` is before it).
    /// - Throws: `invalid_time` when the anchor or `t` is outside `Instant.range`, or the
    ///   boundary after `t` is past it.
    public func boundary(after t: Int64) throws -> Int64 {
        try Instant.check(anchor, param: "billing_cycle_anchor")
        try Instant.check(t, param: "current_period_end")
        if t < anchor { return anchor }
        // Estimate n from an average interval, then step to the exact one. Within the range,
        // `t - anchor` and the steps fit easily.
        let average: Int64
        switch interval {
        case .day: average = 86_400
        case .week: average = 604_800
        case .month: average = 2_629_746  // 365.2425 days / 12
        case .year: average = 31_556_952
        }
        var n = max(0, (t - anchor) / (average * Int64(intervalCount)) - 1)
        while try boundary(n) <= t { n += 1 }
        while try n > 0 && boundary(n - 1) > t { n -= 1 }
        return try boundary(n)
    }

    /// `t` plus `months` calendar months, the day clamped to the target month's length.
    /// - Throws: `invalid_time` when the result is outside `Instant.range`.
    public static func addMonths(_ t: Int64, _ months: Int64) throws -> Int64 {
        let (days, timeOfDay) = Instant.split(t)
        let (y, m, d) = Instant.civilFromDays(days)
        // Months since year 0, checked: `y` is at most about 3 × 10^11 for any Int64 `t`.
        let (total, overflow) = (y * 12 + (m - 1)).addingReportingOverflow(months)
        guard !overflow else { throw Self.pastRange() }
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        guard year >= 1970 && year <= 9999 else { throw year > 9999 ? pastRange() : beforeRange() }
        let month = total - year * 12 + 1
        let day = min(d, Instant.daysIn(month: month, year: year))
        return try Instant.check(
            Instant.daysFromCivil(year: year, month: month, day: day) * 86_400 + timeOfDay, param: "current_period_end")
    }

    /// `t + steps × unit` seconds, checked.
    static func addSeconds(_ t: Int64, _ steps: Int64, _ unit: Int64) throws -> Int64 {
        let (offset, overflow) = steps.multipliedReportingOverflow(by: unit)
        let (sum, overflow2) = t.addingReportingOverflow(offset)
        guard !overflow, !overflow2, Instant.range.contains(sum) else {
            throw !overflow && !overflow2 && sum < Instant.range.lowerBound ? beforeRange() : pastRange()
        }
        return sum
    }

    static func pastRange() -> LedgerError {
        LedgerError(
            .invalidTime,
            "the billing period would end after \(Instant.format(Instant.range.upperBound)), the last supported instant",
            param: "current_period_end")
    }

    static func beforeRange() -> LedgerError {
        LedgerError(
            .invalidTime,
            "the billing period would start before \(Instant.format(Instant.range.lowerBound)), the first supported instant",
            param: "current_period_start")
    }
}
