/// Billing-period arithmetic: boundaries follow the billing cycle anchor, with month-end
/// clamping (an anchor on Jan 31 bills Feb 28 or 29, Mar 31, Apr 30, …).
///
/// Every boundary is computed from the anchor itself (anchor + n intervals, then clamped),
/// never from the previous clamped boundary, so a short month does not pull later boundaries
/// earlier. The time of day of the anchor is kept. Pure and total over valid inputs.
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
    public func boundary(_ n: Int64) -> Int64 {
        let steps = n * Int64(intervalCount)
        switch interval {
        case .day: return anchor + steps * 86_400
        case .week: return anchor + steps * 604_800
        case .month: return Self.addMonths(anchor, steps)
        case .year: return Self.addMonths(anchor, steps * 12)
        }
    }

    /// The first boundary strictly after `t` (the anchor when `t` is before it).
    public func boundary(after t: Int64) -> Int64 {
        if t < anchor { return anchor }
        // Estimate n from an average interval, then step to the exact one.
        let average: Int64
        switch interval {
        case .day: average = 86_400
        case .week: average = 604_800
        case .month: average = 2_629_746  // 365.2425 days / 12
        case .year: average = 31_556_952
        }
        var n = max(0, (t - anchor) / (average * Int64(intervalCount)) - 1)
        while boundary(n) <= t { n += 1 }
        while n > 0 && boundary(n - 1) > t { n -= 1 }
        return boundary(n)
    }

    /// `t` plus `months` calendar months, the day clamped to the target month's length.
    public static func addMonths(_ t: Int64, _ months: Int64) -> Int64 {
        let days = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let timeOfDay = t - days * 86_400
        let (y, m, d) = Instant.civilFromDays(days)
        let total = (y * 12 + (m - 1)) + months
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        let day = min(d, Instant.daysIn(month: month, year: year))
        return Instant.daysFromCivil(year: year, month: month, day: day) * 86_400 + timeOfDay
    }
}
