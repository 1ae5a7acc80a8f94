import Testing

@testable import LedgerCore

/// How many periods one billing run closes for a subscription, and the cap on it.
@Suite struct PeriodsDueTests {
    let day: Int64 = 86_400
    let start: Int64 = 1_680_739_200  // 2023-04-06T00:00:00Z

    func subscription(_ interval: Price.Interval = .day, periodEnd: Int64, ends: Bool = false) throws -> Subscription {
        Subscription(
            id: "sub_d", customer: "cus_1", status: .active, billingMode: .flexible,
            currency: try Currency(code: "usd"),
            interval: interval, intervalCount: 1, startDate: start, billingCycleAnchor: start,
            currentPeriodStart: start, currentPeriodEnd: periodEnd, graceSeconds: 0, cancelAtPeriodEnd: ends,
            canceledAt: nil, endedAt: nil, items: [], metadata: [:], created: start)
    }

    @Test func countsEveryBoundaryThroughUntil() throws {
        let sub = try subscription(periodEnd: start + day)
        #expect(try sub.periodsDue(until: start, limit: 1_000) == 0)
        #expect(try sub.periodsDue(until: start + day, limit: 1_000) == 1)
        #expect(try sub.periodsDue(until: start + 1_000 * day, limit: 1_000) == 1_000)
        #expect(try sub.periodsDue(until: start + 1_000 * day + day - 1, limit: 1_000) == 1_000)
        // Counting stops one past the limit, however far `until` lies.
        #expect(try sub.periodsDue(until: start + 1_001 * day, limit: 1_000) == 1_001)
        #expect(try sub.periodsDue(until: Limits.instantMax, limit: 1_000) == 1_001)
        #expect(
            try subscription(periodEnd: start + day, ends: true).periodsDue(until: Limits.instantMax, limit: 1) == 1)
        let monthly = try subscription(.month, periodEnd: try Instant.parse("2023-05-06T00:00:00Z"))
        #expect(try monthly.periodsDue(until: try Instant.parse("2026-01-06T00:00:00Z"), limit: 1_000) == 33)
    }

    @Test func theCapIsTooManyPeriodsNamingTheSubscriptionAndTheFlag() throws {
        let sub = try subscription(periodEnd: start + day)
        let jan1: Int64 = 1_767_225_600  // start + 1,001 days
        try sub.checkPeriodsDue(until: jan1 - day, maxPeriods: 1_000)
        try sub.checkPeriodsDue(until: jan1, maxPeriods: 1_001)
        let error = #expect(throws: LedgerError.self) { try sub.checkPeriodsDue(until: jan1, maxPeriods: 1_000) }
        #expect(error?.code == .tooManyPeriods)
        #expect(error?.param == "max_periods")
        #expect(
            error?.message
                == "subscription 'sub_d' has more than 1000 periods due by 2026-01-01T00:00:00Z (from 2023-04-07T00:00:00Z); one billing run closes at most 1000 per subscription: run bill with --max-periods N (library: maxPeriods) to close more"
        )
    }
}
