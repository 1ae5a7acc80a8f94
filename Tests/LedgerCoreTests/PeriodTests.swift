import PropertyBased
import Testing

@testable import LedgerCore

@Suite struct PeriodTests {
    func t(_ iso: String) -> Int64 { try! Instant.parse(iso) }

    func boundaries(_ anchor: String, _ interval: Price.Interval, _ count: Int = 1, _ n: Int) -> [String] {
        let cycle = BillingCycle(anchor: t(anchor), interval: interval, intervalCount: count)
        return (0...Int64(n)).map { Instant.format(try! cycle.boundary($0)) }
    }

    @Test func monthEndAnchorClampsEveryMonthFromTheAnchor() {
        #expect(
            boundaries("2026-01-31T00:00:00Z", .month, 1, 12) == [
                "2026-01-31T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z", "2026-04-30T00:00:00Z",
                "2026-05-31T00:00:00Z", "2026-06-30T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z",
                "2026-09-30T00:00:00Z", "2026-10-31T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-31T00:00:00Z",
                "2027-01-31T00:00:00Z",
            ])
    }

    @Test func leapFebruary() {
        #expect(
            boundaries("2028-01-31T12:30:00Z", .month, 1, 3) == [
                "2028-01-31T12:30:00Z", "2028-02-29T12:30:00Z", "2028-03-31T12:30:00Z", "2028-04-30T12:30:00Z",
            ])
        #expect(
            boundaries("2026-01-29T00:00:00Z", .month, 1, 2) == [
                "2026-01-29T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-29T00:00:00Z",
            ])
        #expect(
            boundaries("2026-01-30T00:00:00Z", .month, 1, 2) == [
                "2026-01-30T00:00:00Z", "2026-02-28T00:00:00Z", "2026-03-30T00:00:00Z",
            ])
    }

    @Test func quarterlyFromNovember30() {
        #expect(
            boundaries("2025-11-30T00:00:00Z", .month, 3, 4) == [
                "2025-11-30T00:00:00Z", "2026-02-28T00:00:00Z", "2026-05-30T00:00:00Z", "2026-08-30T00:00:00Z",
                "2026-11-30T00:00:00Z",
            ])
    }

    @Test func yearlyOnFebruary29() {
        #expect(
            boundaries("2028-02-29T00:00:00Z", .year, 1, 4) == [
                "2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z", "2030-02-28T00:00:00Z", "2031-02-28T00:00:00Z",
                "2032-02-29T00:00:00Z",
            ])
    }

    @Test func weeklyAndDaily() {
        #expect(
            boundaries("2026-01-01T09:00:00Z", .week, 1, 3) == [
                "2026-01-01T09:00:00Z", "2026-01-08T09:00:00Z", "2026-01-15T09:00:00Z", "2026-01-22T09:00:00Z",
            ])
        #expect(
            boundaries("2026-02-27T00:00:00Z", .day, 2, 2) == [
                "2026-02-27T00:00:00Z", "2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z",
            ])
        #expect(boundaries("2026-12-28T00:00:00Z", .week, 2, 1) == ["2026-12-28T00:00:00Z", "2027-01-11T00:00:00Z"])
    }

    @Test func boundaryAfterAnInstant() throws {
        let cycle = BillingCycle(anchor: t("2026-01-31T00:00:00Z"), interval: .month, intervalCount: 1)
        #expect(try cycle.boundary(after: t("2026-01-01T00:00:00Z")) == t("2026-01-31T00:00:00Z"))
        #expect(try cycle.boundary(after: t("2026-01-31T00:00:00Z")) == t("2026-02-28T00:00:00Z"))
        #expect(try cycle.boundary(after: t("2026-02-27T23:59:59Z")) == t("2026-02-28T00:00:00Z"))
        #expect(try cycle.boundary(after: t("2026-02-28T00:00:00Z")) == t("2026-03-31T00:00:00Z"))
        #expect(try cycle.boundary(after: t("2030-07-15T00:00:00Z")) == t("2030-07-31T00:00:00Z"))
    }

    /// For any anchor, interval and instant: the boundary after t is the first boundary(n) > t.
    @Test func boundaryAfterIsTheFirstLaterBoundary() async {
        let intervals = Gen.element(of: Price.Interval.allCases).map { $0! }
        await propertyCheck(
            count: 300,
            input: Gen.int64(in: 0...4_102_444_800), intervals, Gen.int(in: 1...3), Gen.int64(in: 0...400_000_000)
        ) { anchor, interval, count, offset in
            let cycle = BillingCycle(anchor: anchor, interval: interval, intervalCount: count)
            let t = anchor + offset
            let after = try cycle.boundary(after: t)
            #expect(after > t)
            var n: Int64 = 0
            while try cycle.boundary(n) <= t { n += 1 }
            #expect(try after == cycle.boundary(n))
            #expect(try cycle.boundary(n + 1) > cycle.boundary(n))
        }
    }
}
