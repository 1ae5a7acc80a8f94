import PropertyBased
import Testing

@testable import LedgerCore

/// Instants are bounded to years 1970 through 9999 where they enter (`Instant.parse`,
/// `Instant.check`), and the time arithmetic is total: no Int64 makes it trap.
@Suite struct InstantRangeTests {
    static let rangeMessage =
        "is outside the supported range 1970-01-01T00:00:00Z through 9999-12-31T23:59:59Z (Unix seconds 0 through 253402300799)"

    @Test("the range's bounds parse, as Unix seconds and as ISO 8601")
    func boundsParse() throws {
        #expect(Limits.instantMin == 0)
        #expect(Limits.instantMax == 253_402_300_799)
        #expect(try Instant.parse("0") == 0)
        #expect(try Instant.parse("1970-01-01T00:00:00Z") == 0)
        #expect(try Instant.parse("1970-01-01T01:00:00+01:00") == 0)
        #expect(try Instant.parse("253402300799") == 253_402_300_799)
        #expect(try Instant.parse("9999-12-31T23:59:59Z") == 253_402_300_799)
        #expect(try Instant.parse("9999-12-31T22:59:59-01:00") == 253_402_300_799)
        #expect(try Instant.check(0, param: "now") == 0)
        #expect(try Instant.check(253_402_300_799, param: "now") == 253_402_300_799)
    }

    @Test(
        "an instant outside the range is invalid_time naming the parameter, the value and the range",
        arguments: [
            "-1", "253402300800", "-9223372036854775808", "9223372036854775807", "0000-01-01",
            "1969-12-31T23:59:59Z", "1970-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
        ])
    func outsideTheRangeIsRefused(text: String) {
        let error = #expect(throws: LedgerError.self) { try Instant.parse(text, param: "until") }
        #expect(error?.code == .invalidTime)
        #expect(error?.param == "until")
        #expect(error?.message == "until '\(text)' \(Self.rangeMessage)")
    }

    @Test func checkNamesTheValue() {
        for value: Int64 in [-1, 253_402_300_800, .min, .max] {
            let error = #expect(throws: LedgerError.self) { try Instant.check(value, param: "as_of") }
            #expect(error?.code == .invalidTime)
            #expect(error?.param == "as_of")
            #expect(error?.message == "as_of \(value) \(Self.rangeMessage)")
        }
    }

    @Test("format is total over Int64: years outside 0...9999 are signed")
    func formatIsTotal() {
        #expect(Instant.format(.min) == "-292277022657-01-27T08:29:52Z")
        #expect(Instant.format(.max) == "+292277026596-12-04T15:30:07Z")
        #expect(Instant.format(-1) == "1969-12-31T23:59:59Z")
        #expect(Instant.format(0) == "1970-01-01T00:00:00Z")
        #expect(Instant.format(253_402_300_799) == "9999-12-31T23:59:59Z")
        #expect(Instant.format(253_402_300_800) == "+10000-01-01T00:00:00Z")
        #expect(Instant.split(.min).days == -106_751_991_167_301)
        #expect(Instant.split(.min).secondOfDay == 30_592)
        #expect(Instant.split(-1).days == -1)
        #expect(Instant.split(-1).secondOfDay == 86_399)
    }

    @Test("format and parse round-trip over the whole range; format never traps on any Int64")
    func formatRoundTrips() async {
        await propertyCheck(count: 500, input: Gen.int64(in: Instant.range)) { t in
            let parsed = try Instant.parse(Instant.format(t))
            #expect(parsed == t)
        }
        await propertyCheck(count: 500, input: Gen.int64(in: Int64.min...Int64.max)) { t in
            #expect(!Instant.format(t).isEmpty)
        }
    }

    @Test("a period boundary past year 9999 is invalid_time, never a trap")
    func boundaryPastTheRange() throws {
        let cycle = BillingCycle(anchor: try Instant.parse("9999-12-15T00:00:00Z"), interval: .month, intervalCount: 1)
        let error = #expect(throws: LedgerError.self) { try cycle.boundary(after: cycle.anchor) }
        #expect(error?.code == .invalidTime)
        #expect(error?.param == "current_period_end")
        #expect(
            error?.message
                == "the billing period would end after 9999-12-31T23:59:59Z, the last supported instant")
        let daily = BillingCycle(anchor: 253_402_300_799 - 86_400, interval: .day, intervalCount: 1)
        #expect(try daily.boundary(after: daily.anchor) == 253_402_300_799)
        #expect(throws: LedgerError.self) { try daily.boundary(after: 253_402_300_799) }
        for n: Int64 in [.max, .min, Int64.max / 12, Int64.max / 86_400] {
            for interval in Price.Interval.allCases {
                let any = BillingCycle(anchor: 0, interval: interval, intervalCount: 36)
                #expect(throws: LedgerError.self) { try any.boundary(n) }
            }
        }
        #expect(throws: LedgerError.self) { try BillingCycle.addMonths(.max, .max) }
        #expect(throws: LedgerError.self) { try BillingCycle.addMonths(.min, 1) }
        #expect(throws: LedgerError.self) { try BillingCycle.addMonths(0, -1) }
    }

    /// Interval counts up to the maximum of `Limits` for each unit.
    static let cycles = zip(
        Gen.element(of: Price.Interval.allCases).map { $0! }, Gen.int(in: 0...Int.max)
    ).map { input -> (Price.Interval, Int) in
        let (interval, seed) = input
        return (interval, 1 + seed % Limits.intervalCountMax[interval.rawValue]!)
    }

    /// Anchors anywhere in the range, half of them on a month's last days (28th to 31st).
    static let anchors = zip(Gen.int64(in: Instant.range), Gen.bool).map { input -> Int64 in
        let (t, monthEnd) = input
        guard monthEnd else { return t }
        let (days, timeOfDay) = Instant.split(t)
        let (y, m, _) = Instant.civilFromDays(days)
        let day = Instant.daysIn(month: m, year: y) - t % 4
        return Instant.daysFromCivil(year: y, month: m, day: max(28, day)) * 86_400 + timeOfDay
    }

    @Test("over the whole range and every interval up to the limits, the next boundary is later or invalid_time")
    func nextBoundaryNeverTraps() async {
        await propertyCheck(count: 2_000, input: Self.anchors, Self.cycles, Gen.int64(in: Instant.range)) {
            anchor, cycle, t in
            let billing = BillingCycle(anchor: anchor, interval: cycle.0, intervalCount: cycle.1)
            do {
                let next = try billing.boundary(after: t)
                #expect(next > t)
                #expect(Instant.range.contains(next))
                if next != anchor { #expect(try billing.boundary(after: next - 1) == next) }
            } catch let error as LedgerError {
                #expect(error.code == .invalidTime)
                // Only a boundary beyond the range is refused: t is within one interval of its end.
                let longest: Int64 = 3 * 366 * 86_400
                #expect(t >= anchor && t > Instant.range.upperBound - longest)
            }
        }
    }

    @Test("boundary(n) and addMonths never trap, for any Int64 count")
    func boundaryOfAnyCountNeverTraps() async {
        await propertyCheck(
            count: 2_000, input: Self.anchors, Self.cycles, Gen.int64(in: Int64.min...Int64.max)
        ) { anchor, cycle, n in
            let billing = BillingCycle(anchor: anchor, interval: cycle.0, intervalCount: cycle.1)
            if let b = try? billing.boundary(n) { #expect(Instant.range.contains(b)) }
            if let t = try? BillingCycle.addMonths(anchor, n) { #expect(Instant.range.contains(t)) }
        }
    }

    @Test("summary windows never trap: any Int64 bounds validate or throw, buckets stay in the range")
    func summaryWindowsNeverTrap() async {
        let groupings = Gen.element(of: [nil] + SummaryGrouping.allCases.map { Optional($0) }).map { $0! }
        await propertyCheck(
            count: 1_000, input: Gen.int64(in: Int64.min...Int64.max), Gen.int64(in: Int64.min...Int64.max), groupings
        ) { start, end, grouping in
            if (try? SummaryWindow.validate(start: start, end: end, grouping: grouping)) != nil {
                #expect(Instant.range.contains(start) && Instant.range.contains(end) && start < end)
            }
        }
        await propertyCheck(count: 1_000, input: Gen.int64(in: Instant.range), Gen.int64(in: 0...Int64.max)) {
            t, offset in
            let start = t / 86_400 * 86_400
            let end = Instant.range.upperBound + 1
            for grouping in SummaryGrouping.allCases {
                let timestamp = start + offset % (end - start)
                let bucket = SummaryWindow.bucket(of: timestamp, start: start, grouping: grouping)
                #expect(bucket.contains(timestamp))
                #expect(bucket.lowerBound % grouping.seconds == 0)
                #expect(bucket.upperBound <= end)
            }
        }
    }
}
