import Foundation
import Testing

@testable import LedgerKit

@Suite struct MeteringTests {
    let now: Int64 = 1_767_744_000  // 2026-01-07T00:00:00Z

    /// Customer `cus_1` and one meter of `aggregation` on `alpaca_ai_tokens`.
    static func catalog(_ aggregation: Meter.Aggregation = .sum) -> Catalog {
        Catalog(
            customers: [.init(id: "cus_1", name: "John Doe")],
            meters: [
                .init(id: "mtr_tokens", displayName: "Tokens", eventName: "alpaca_ai_tokens", aggregation: aggregation)
            ])
    }

    /// SCENARIOS.md P6: usage for a custom time period.
    @Test func usageForACustomPeriod() throws {
        let w = try World(Self.catalog(), at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        _ = try w.record("3000", at: "2026-01-05T12:00:00Z")
        _ = try w.record("500", at: "2026-01-05T12:30:00Z")
        _ = try w.record("200", at: "2026-01-06T09:00:00Z")
        let day5 = try Instant.parse("2026-01-05")
        let day7 = try Instant.parse("2026-01-07")
        let whole = try ledger.eventSummaries(
            meter: meter.id, customer: customer.id, start: day5, end: day7, grouping: nil)
        #expect(whole.map(\.aggregatedValue) == [ExactDecimal(3700)])
        let daily = try ledger.eventSummaries(
            meter: meter.id, customer: customer.id, start: day5, end: day7, grouping: .day)
        #expect(daily.map(\.aggregatedValue) == [ExactDecimal(3500), ExactDecimal(200)])
        #expect(daily.map(\.start) == [day5, day5 + 86_400])
        let noon = try Instant.parse("2026-01-05T12:00:00Z")
        let hourly = try ledger.eventSummaries(
            meter: meter.id, customer: customer.id, start: noon, end: noon + 7200, grouping: .hour)
        #expect(hourly.map(\.aggregatedValue) == [ExactDecimal(3500)])
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: day5, end: day7) == ExactDecimal(3700))
        // [start, end): an event exactly at end is outside.
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: day5, end: noon) == .zero)
    }

    @Test func identifiersAreUniqueForever() throws {
        let w = try World(Self.catalog(), at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        let first = try w.record("3", at: "2026-01-06T00:00:00Z", id: "e-1")
        #expect(first.outcome == .accepted)
        let again = try w.record("3", at: "2026-01-06T00:00:00Z", id: "e-1")
        #expect(again.outcome == .duplicate)
        #expect(again.event == first.event)
        #expect(
            code { _ = try w.record("4", at: "2026-01-06T00:00:00Z", id: "e-1") } == .identifierConflict)
        #expect(
            code { _ = try w.record("3", at: "2026-01-06T00:00:01Z", id: "e-1") } == .identifierConflict)
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(3))
    }

    @Test func theTimestampWindowIsStripes() throws {
        let ledger = try World(Self.catalog(), at: now).ledger
        func at(_ t: Int64) -> EventSubmission {
            EventSubmission(eventName: "alpaca_ai_tokens", timestamp: t, customer: "cus_1", value: 1)
        }
        #expect(code { _ = try ledger.record(at(now - 35 * 86_400)) } == nil)
        #expect(code { _ = try ledger.record(at(now - 35 * 86_400 - 1)) } == .timestampOutOfWindow)
        #expect(code { _ = try ledger.record(at(now + 300)) } == nil)
        #expect(code { _ = try ledger.record(at(now + 301)) } == .timestampOutOfWindow)
        #expect(
            code { _ = try ledger.record(at(now - 100 * 86_400), window: EventWindow(maxAgeSeconds: 200 * 86_400)) }
                == nil)
    }

    @Test func rejectionsNameTheirCause() throws {
        let w = try World(Self.catalog(), at: now)
        let (ledger, meter) = (w.ledger, w.meter)
        #expect(
            code { _ = try ledger.record(EventSubmission(eventName: "nope", customer: "cus_1", value: 1)) }
                == .resourceMissing)
        #expect(
            code {
                _ = try ledger.record(EventSubmission(eventName: "alpaca_ai_tokens", customer: "cus_x", value: 1))
            } == .resourceMissing)
        #expect(
            code {
                _ = try ledger.record(
                    EventSubmission(
                        eventName: "alpaca_ai_tokens", customer: "cus_1",
                        value: ExactDecimal(parsing: "0.0000000000001")))
            } == .invalidQuantity)
        _ = try ledger.deactivateMeter(meter.id)
        #expect(
            code {
                _ = try ledger.record(EventSubmission(eventName: "alpaca_ai_tokens", customer: "cus_1", value: 1))
            } == .meterInactive)
        _ = try ledger.reactivateMeter(meter.id)
        #expect(
            code {
                _ = try ledger.record(EventSubmission(eventName: "alpaca_ai_tokens", customer: "cus_1", value: 1))
            } == nil)
    }

    @Test func cancelledEventsStopCounting() throws {
        let w = try World(Self.catalog(), at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        _ = try w.record("10", at: "2026-01-06T00:00:00Z", id: "a")
        _ = try w.record("5", at: "2026-01-06T00:00:00Z", id: "b")
        let cancelled = try ledger.cancelEvent(eventName: "alpaca_ai_tokens", identifier: "a")
        #expect(cancelled.cancelledAt == now)
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(5))
        #expect(
            code { _ = try ledger.cancelEvent(eventName: "alpaca_ai_tokens", identifier: "a") }
                == .eventAlreadyCancelled)
        #expect(code { _ = try ledger.cancelEvent(eventName: "other", identifier: "b") } == .resourceMissing)
        #expect(
            code { _ = try ledger.cancelEvent(eventName: "alpaca_ai_tokens", identifier: "zz") } == .resourceMissing)
        // A cancelled identifier still counts as used: re-sending it is a duplicate, not new usage.
        #expect(try w.record("10", at: "2026-01-06T00:00:00Z", id: "a").outcome == .duplicate)
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(5))
    }

    @Test(arguments: [(Meter.Aggregation.sum, "7.5"), (.count, "3"), (.max, "10"), (.last, "-3")])
    func aggregationsThroughStorage(_ formula: Meter.Aggregation, _ expected: String) throws {
        let w = try World(Self.catalog(formula), at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        _ = try w.record("10", at: "2026-01-06T00:00:00Z")
        _ = try w.record("0.5", at: "2026-01-05T00:00:00Z")
        _ = try w.record("-3", at: "2026-01-06T00:00:00Z")
        #expect(
            try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(
                parsing: expected)!)
    }

    @Test func importReportsEveryLineAndIsIdempotent() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try World(Self.catalog(), at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        let file = dir.path("in.ndjson")
        try """
        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"3000","timestamp":"2026-01-05T12:00:00Z","identifier":"e1"}
        {"event_name":"alpaca_ai_tokens","payload":{"stripe_customer_id":"cus_1","value":500},"timestamp":1767616200,"identifier":"e2"}

        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"3000","timestamp":"2026-01-05T12:00:00Z","identifier":"e1"}
        {"event_name":"alpaca_ai_tokens","customer":"cus_1","value":"1","timestamp":"2026-01-05T12:00:00Z","identifier":"e2"}
        garbage
        {"event_name":"alpaca_ai_tokens","customer":"cus_9","value":"1","identifier":"e3"}
        """.write(toFile: file, atomically: true, encoding: .utf8)
        var rejections: [Int: LedgerError.Code] = [:]
        let report = try ledger.importEvents(try LineReader(path: file), format: .ndjson) {
            rejections[$0.line] = $0.error.code
        }
        #expect((report.accepted, report.duplicate, report.rejected) == (2, 1, 3))
        #expect(rejections == [5: .identifierConflict, 6: .malformedLine, 7: .resourceMissing])
        let again = try ledger.importEvents(try LineReader(path: file), format: .ndjson)
        #expect((again.accepted, again.duplicate, again.rejected) == (0, 3, 3))
        #expect(try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now) == ExactDecimal(3500))
    }

    @Test func atomicImportWritesNothingOnAnyRejection() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let ledger = try World(Self.catalog(), at: now).ledger
        let file = dir.path("in.csv")
        try
            "event_name,customer,value,timestamp,identifier\nalpaca_ai_tokens,cus_1,5,2026-01-06,a\nalpaca_ai_tokens,cus_1,x,2026-01-06,b\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let before = try ledger.dump()
        let report = try ledger.importEvents(try LineReader(path: file), format: .csv, atomic: true)
        #expect(report.rolledBack)
        #expect(report.rejected == 1)
        #expect(try ledger.dump() == before)
    }

    /// Two importers on the same ledger at once, with overlapping identifiers: each event counts
    /// exactly once.
    @Test func concurrentImportsCountEachEventOnce() async throws {
        let location = try TestBackend.Location()
        defer { location.cleanup() }
        let dir = location.dir
        let w = try World(Self.catalog(), location: location, at: now)
        let (ledger, customer, meter) = (w.ledger, w.customer, w.meter)
        func write(_ range: Range<Int>, _ name: String) throws -> String {
            let lines = range.map {
                #"{"event_name":"alpaca_ai_tokens","customer":"cus_1","value":\#($0),"timestamp":1767657600,"identifier":"id-\#($0)"}"#
            }
            let file = dir.path(name)
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
        let a = try write(0..<3000, "a.ndjson")
        let b = try write(1500..<4500, "b.ndjson")
        let reports = try await withThrowingTaskGroup(of: ImportReport.self) { group in
            for file in [a, b] {
                group.addTask {
                    let other = try location.open(clock: fixedClock(self.now))
                    return try other.importEvents(try LineReader(path: file), format: .ndjson)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(reports.map(\.accepted).reduce(0, +) == 4500)
        #expect(reports.map(\.duplicate).reduce(0, +) == 1500)
        #expect(
            try ledger.usage(customer: customer.id, meter: meter.id, start: 0, end: now)
                == ExactDecimal(Int64((0..<4500).reduce(0, +))))
    }

    @Test func metersChangeOnlyTheirName() throws {
        let w = try World(Self.catalog(), at: now)
        let (ledger, meter) = (w.ledger, w.meter)
        let renamed = try ledger.updateMeter(meter.id, displayName: "AI tokens")
        #expect(renamed.displayName == "AI tokens")
        #expect(renamed.eventName == meter.eventName)
        #expect(
            code { _ = try ledger.createMeter(.init(displayName: "x", eventName: "alpaca_ai_tokens")) }
                == .resourceExists)
        #expect(code { _ = try ledger.updateMeter(.init("mtr_missing"), displayName: "x") } == .resourceMissing)
        let product = try ledger.createProduct(.init(name: "P"))
        _ = try ledger.deactivateMeter(meter.id)
        let params = PriceParams(
            product: product.id, currency: try Currency(code: "usd"), kind: .recurring,
            recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: meter.id),
            scheme: .perUnit(unitAmount: ExactDecimal(4), transform: nil))
        #expect(code { _ = try ledger.createPrice(params) } == .meterInactive)
    }
}
