import Testing

@testable import LedgerKit

/// Reconciliation's unbilled late usage is aggregated with each meter's own formula.
@Suite struct LateUsageTests {
    static let catalog = Catalog(
        customers: [.init(id: "cus_1", name: "A")],
        meters: [
            .init(id: "mtr_sum", displayName: "Tokens", eventName: "tokens"),
            .init(id: "mtr_count", displayName: "Calls", eventName: "calls", aggregation: .count),
            .init(id: "mtr_max", displayName: "Seats", eventName: "seats", aggregation: .max),
            .init(id: "mtr_last", displayName: "Storage", eventName: "storage", aggregation: .last),
        ],
        products: [.init(id: "prod_1", name: "P")],
        prices: ["sum", "count", "max", "last"].map { name in
            .monthly("price_\(name)", of: "prod_1", meter: .init("mtr_\(name)"), .unit("1"))
        })

    @Test func eachMeterAggregatesItsLateEventsItsOwnWay() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(
            .init(customer: "cus_1", items: w.prices.map { .init(price: $0.id) }))
        w.clock.set("2026-02-01T02:00:00Z")
        _ = try w.ledger.bill()
        // Recorded after January's invoice finalized, timestamped in January: late.
        let values = [("7", "2026-01-10"), ("3", "2026-01-20"), ("5", "2026-01-15")]
        for event in ["tokens", "calls", "seats", "storage"] {
            for (n, (value, day)) in values.enumerated() {
                try w.record(
                    value, event: event, at: "\(day)T00:00:00Z", recordedAt: "2026-02-01T03:00:00Z", id: "\(event)-\(n)"
                )
            }
        }
        let late = try w.ledger.lateUsage(customer: "cus_1")
        #expect(late.map(\.meter) == ["mtr_count", "mtr_last", "mtr_max", "mtr_sum"])
        #expect(late.allSatisfy { $0.events == 3 })
        let values_ = Dictionary(uniqueKeysWithValues: late.map { ($0.meter.rawValue, $0.value) })
        #expect(values_["mtr_sum"] == ExactDecimal(15))
        #expect(values_["mtr_count"] == ExactDecimal(3))
        #expect(values_["mtr_max"] == ExactDecimal(7))
        #expect(values_["mtr_last"] == ExactDecimal(3))  // the latest timestamp: January 20
    }
}
