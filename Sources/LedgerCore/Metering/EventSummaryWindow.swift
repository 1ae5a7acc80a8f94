/// Grouping of event summaries.
public enum SummaryGrouping: String, Sendable, CaseIterable {
    case hour, day

    public var seconds: Int64 { self == .hour ? 3_600 : 86_400 }
}

/// Alignment rules of event summaries (Stripe): bounds on whole minutes, or whole hours / UTC
/// days when grouped.
public enum SummaryWindow {
    /// - Throws: `invalid_time` when a bound is outside `Instant.range` or not aligned, or the
    ///   range is empty.
    public static func validate(start: Int64, end: Int64, grouping: SummaryGrouping?) throws {
        try Instant.check(start, param: "start_time")
        try Instant.check(end, param: "end_time")
        let unit: Int64 = grouping?.seconds ?? 60
        let name = grouping.map { $0 == .hour ? "an hour" : "a UTC day" } ?? "a minute"
        for (value, param) in [(start, "start_time"), (end, "end_time")] where value % unit != 0 {
            throw LedgerError(
                .invalidTime, "\(param) \(Instant.format(value)) must be aligned to \(name)", param: param)
        }
        if end <= start {
            throw LedgerError(.invalidTime, "end_time must be after start_time", param: "end_time")
        }
    }

    /// The window of `grouping` that holds `timestamp`, counted from `start`: for a validated
    /// range `[start, end)` holding `timestamp`, a window within it.
    public static func bucket(of timestamp: Int64, start: Int64, grouping: SummaryGrouping) -> Range<Int64> {
        precondition(Instant.range.contains(start), "start is validated within the range")
        precondition(timestamp >= start, "the events read are those at or after start")
        precondition(timestamp <= Instant.range.upperBound, "the events read are those before a validated end")
        let lower = start + (timestamp - start) / grouping.seconds * grouping.seconds
        return lower..<lower + grouping.seconds
    }
}
