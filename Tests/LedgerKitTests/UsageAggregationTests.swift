import Foundation
import Testing

@testable import LedgerKit

/// Usage is summarized by SQLite one row per scale; what 64 bits cannot hold is summed event by
/// event, exactly.
@Suite struct UsageAggregationTests {
    let now: Int64 = 1_767_744_000  // 2026-01-07T00:00:00Z

    func world(_ aggregation: Meter.Aggregation, _ dir: TempDir, values: [String]) throws -> World {
        let w = try World(
            Catalog(
                customers: Catalog.customers(["cus_1"]),
                meters: [.init(id: "mtr_1", displayName: "T", eventName: "tokens", aggregation: aggregation)]),
            path: dir.path("l.sqlite"), at: now)
        let file = dir.path("in.ndjson")
        let lines = values.enumerated().map { index, value in
            #"{"event_name":"tokens","customer":"cus_1","value":"\#(value)","timestamp":"2026-01-05T12:00:00Z","identifier":"e\#(index)"}"#
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let report = try w.ledger.importEvents(try LineReader(path: file), format: .ndjson)
        #expect(report.accepted == values.count)
        return w
    }

    func usage(_ w: World) throws -> ExactDecimal {
        try w.ledger.usage(customer: "cus_1", meter: "mtr_1", start: 0, end: now)
    }

    /// 10,000 events of 999,999,999,999,999 sum past Int64.max: SQLite's sum stops, and the
    /// exact path gives 9,999,999,999,999,990,000 plus the events of other scales.
    @Test func aSumPast64BitsIsExact() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try world(.sum, dir, values: Array(repeating: "999999999999999", count: 10_000) + ["0.25", "-1.5"])
        #expect(try usage(w) == ExactDecimal(parsing: "9999999999999989998.75")!)
    }

    @Test func sumsCountsAndMaximaAcrossScales() throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let values = ["1.5", "2", "1.99", "0.001", "-3"]
        #expect(try usage(try world(.sum, dir, values: values)) == ExactDecimal(parsing: "2.491")!)
        let countDir = try TempDir()
        defer { countDir.cleanup() }
        #expect(try usage(try world(.count, countDir, values: values)) == ExactDecimal(5))
        let maxDir = try TempDir()
        defer { maxDir.cleanup() }
        #expect(try usage(try world(.max, maxDir, values: values)) == ExactDecimal(parsing: "2")!)
        let maxFraction = try TempDir()
        defer { maxFraction.cleanup() }
        #expect(
            try usage(try world(.max, maxFraction, values: ["1.99", "1.991", "1"])) == ExactDecimal(parsing: "1.991")!)
    }
}
