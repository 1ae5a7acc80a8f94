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
            at: now)
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

    /// The closings due at one instant, one batch of the billing run: each customer gets its own
    /// figure, one without events 0, one whose sum SQLite cannot hold its exact sum.
    @Test(arguments: [Meter.Aggregation.sum, .count, .max])
    func aBatchOfClosingsCountsEachCustomer(_ aggregation: Meter.Aggregation) throws {
        let dir = try TempDir()
        defer { dir.cleanup() }
        let w = try World(
            Catalog(
                customers: Catalog.customers(["cus_1", "cus_2", "cus_3"]),
                meters: [.init(id: "mtr_1", displayName: "T", eventName: "tokens", aggregation: aggregation)],
                products: [.init(id: "prod_1", name: "T")],
                prices: [.monthly("price_1", of: "prod_1", meter: "mtr_1", .unit("0"))]),
            at: now)
        for customer in ["cus_1", "cus_2", "cus_3"] {
            _ = try w.ledger.createSubscription(.init(customer: .init(customer), items: [.init(price: "price_1")]))
        }
        let values = [
            ("cus_1", Array(repeating: "999999999999999", count: 10_000) + ["0.25"]),
            ("cus_2", ["1.5", "2", "1.99", "-3"]),
        ]
        var lines: [String] = []
        for (customer, list) in values {
            for (index, value) in list.enumerated() {
                lines.append(
                    #"{"event_name":"tokens","customer":"\#(customer)","value":"\#(value)","timestamp":"2026-01-10T12:00:00Z","identifier":"\#(customer)-\#(index)"}"#
                )
            }
        }
        let file = dir.path("in.ndjson")
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        w.clock.set("2026-01-11T00:00:00Z")
        #expect(try w.ledger.importEvents(try LineReader(path: file), format: .ndjson).accepted == lines.count)
        w.clock.set("2026-02-07T02:00:00Z")
        #expect(try w.ledger.bill().invoicesFinalized == 3)
        var billed: [String: String] = [:]
        for invoice in try w.ledger.invoices() where invoice.billingReason == .subscriptionCycle {
            billed[invoice.customer.rawValue] = invoice.lines.first { $0.meter != nil }?.quantity.description
        }
        let expected: [Meter.Aggregation: [String: String]] = [
            .sum: ["cus_1": "9999999999999990000.25", "cus_2": "2.49", "cus_3": "0"],
            .count: ["cus_1": "10001", "cus_2": "4", "cus_3": "0"],
            .max: ["cus_1": "999999999999999", "cus_2": "2", "cus_3": "0"],
        ]
        #expect(billed == expected[aggregation])
    }
}
