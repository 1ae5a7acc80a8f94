import Foundation
import Testing

@testable import LedgerKit

/// Usage alerts (`usage_threshold`): once per period when the period's usage reaches the level,
/// recovered when a cancelled event takes it below; `one_time` fires once ever.
@Suite struct UsageAlertTests {
    static let catalog = Catalog.tokens

    func crossings(_ w: World) throws -> [String] {
        try w.ledger.feed(after: nil, kinds: [.alertTriggered, .alertRecovered], limit: 100).map { event in
            guard case .alert(let crossing) = event.object else { return "?" }
            return
                "\(event.kind == .alertTriggered ? "triggered" : "recovered") \(Instant.format(event.created)) \(crossing.usage?.description ?? "-")"
        }
    }

    @Test(
        "per period: fires when January reaches 1000 tokens, recovers when an event is cancelled, fires again in February"
    )
    func perPeriod() throws {
        let w = try World(Self.catalog)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        let alert = try w.ledger.createUsageAlert(
            .init(customer: "cus_1", meter: "mtr_tokens", gte: ExactDecimal(1000), title: "Heavy user"))
        try w.record("600", at: "2026-01-05T00:00:00Z", id: "a")
        try w.record("400", at: "2026-01-06T00:00:00Z", id: "b")  // 1000: fires
        try w.record("5", at: "2026-01-07T00:00:00Z", id: "c")  // still at or above: nothing
        w.clock.set("2026-01-08T00:00:00Z")
        _ = try w.ledger.cancelEvent(eventName: "tokens", identifier: "b")  // 605: recovers
        try w.record("2000", at: "2026-02-03T00:00:00Z", id: "d")  // February: fires again
        #expect(
            try crossings(w) == [
                "triggered 2026-01-06T00:00:00Z 1000", "recovered 2026-01-08T00:00:00Z 605",
                "triggered 2026-02-03T00:00:00Z 2000",
            ])
        let now = try w.ledger.alert(alert.id)
        let february = try Instant.parse("2026-02-01T00:00:00Z")
        #expect(now.triggered && now.periodStart == february)
        // Archived: judged no more.
        _ = try w.ledger.archiveAlert(alert.id)
        w.clock.set("2026-03-02T00:00:00Z")
        try w.record("5000", at: "2026-03-02T00:00:00Z", id: "e")
        #expect(try crossings(w).count == 3)
    }

    @Test("one_time (Stripe's): fires once ever; an import judges it too; no subscription on the meter, no judgment")
    func oneTime() throws {
        let w = try World(Self.catalog)
        let early = try w.ledger.createUsageAlert(
            .init(customer: "cus_1", meter: "mtr_tokens", gte: ExactDecimal(10), recurrence: .oneTime))
        try w.record("50", at: "2026-01-02T00:00:00Z", id: "x")  // no subscription bills the meter yet
        #expect(try crossings(w).isEmpty)
        _ = try w.ledger.createSubscription(.init(customer: "cus_1", items: [.init(price: "price_tokens")]))
        let dir = try TempDir()
        defer { dir.cleanup() }
        let file = dir.path("events.ndjson")
        let line =
            "{\"event_name\": \"tokens\", \"customer\": \"cus_1\", \"value\": \"3\", \"timestamp\": \(try Instant.parse("2026-01-03T00:00:00Z")), \"identifier\": \"y\"}\n"
        try Data(line.utf8).write(to: URL(fileURLWithPath: file))
        w.clock.set("2026-01-03T00:00:00Z")
        _ = try w.ledger.importEvents(try LineReader(path: file), format: .ndjson)
        // 50 + 3 in January's period: fires at the import.
        #expect(try crossings(w) == ["triggered 2026-01-03T00:00:00Z 53"])
        try w.record("500", at: "2026-02-03T00:00:00Z", id: "z")
        #expect(try crossings(w).count == 1, "once ever")
        #expect(try w.ledger.alert(early.id).triggered)
        #expect(
            code { _ = try w.ledger.createUsageAlert(.init(customer: "cus_1", meter: "mtr_nope", gte: 1)) }
                == .resourceMissing)
        #expect(
            code { _ = try w.ledger.createUsageAlert(.init(customer: "cus_1", meter: "mtr_tokens", gte: 0)) }
                == .invalidQuantity)
    }
}
