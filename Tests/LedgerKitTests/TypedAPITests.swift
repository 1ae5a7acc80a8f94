import Foundation
import Testing

@testable import LedgerKit

/// The library's typed surface: dates beside Unix seconds, IDs and money as Codable values.
@Suite struct TypedAPITests {
    @Test func datesConvertToWholeSecondsAtTheEdge() throws {
        #expect(Ledger.seconds(Date(timeIntervalSince1970: 1_767_225_600.75)) == 1_767_225_600)
        #expect(Ledger.seconds(Date(timeIntervalSince1970: -0.5)) == -1)
        let dir = try TempDir()
        defer { dir.cleanup() }
        let ledger = try Ledger(path: dir.path("dates.sqlite"), dates: { Date(timeIntervalSince1970: 1_767_225_600) })
        #expect(try ledger.now == jan1)
        let event = EventSubmission(eventName: "t", date: Date(timeIntervalSince1970: 1_767_225_601), value: 1)
        #expect(event.timestamp == jan1 + 1)
        #expect(throws: LedgerError.self) { _ = try ledger.bill(until: Date(timeIntervalSince1970: 1_767_225_601)) }
        #expect(try ledger.bill(until: Date(timeIntervalSince1970: 1_767_225_600)) == BillReport())
    }

    @Test func idsAndMoneyAreCodable() throws {
        let usd = try Currency(code: "usd")
        let money = Money(amountMinor: 1_250, currency: usd)
        let encoded = try JSONEncoder().encode(["customer": Customer.ID("cus_1")])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"customer":"cus_1"}"#)
        #expect(try JSONDecoder().decode([String: Customer.ID].self, from: encoded) == ["customer": "cus_1"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let monetary = try encoder.encode(money)
        #expect(String(decoding: monetary, as: UTF8.self) == #"{"currency":"usd","value":1250}"#)
        #expect(try JSONDecoder().decode(Money.self, from: monetary) == money)
        #expect(throws: LedgerError.self) {
            _ = try JSONDecoder().decode(Money.self, from: Data(#"{"currency":"xyz","value":1}"#.utf8))
        }
    }
}

/// The README's host-app example, line for line, on a test clock.
@Suite struct ReadmeExampleTests {
    @Test func aHostAppRecordsUsageBillsAndReadsABalance() throws {
        let clock = TestClock(jan1)
        let usd = try Currency(code: "usd")
        let ledger = try Ledger(inMemoryWithClock: { clock.now })
        let customer = try ledger.createCustomer(.init(id: "cus_acme", name: "Acme"))
        let meter = try ledger.createMeter(.init(displayName: "Tokens", eventName: "tokens"))
        let product = try ledger.createProduct(.init(name: "API"))
        let price = try ledger.createPrice(
            .init(
                product: product.id, currency: usd, kind: .recurring,
                recurring: .init(interval: .month, intervalCount: 1, usageType: .metered, meter: meter.id),
                scheme: .perUnit(unitAmount: ExactDecimal(4), transform: .init(divideBy: 100, round: .up))))
        _ = try ledger.createSubscription(.init(customer: customer.id, items: [.init(price: price.id)]))
        _ = try ledger.createGrant(
            .init(
                customer: customer.id, amount: Money(amountMinor: 500, currency: usd), category: .promotional,
                scope: .metered))
        _ = try ledger.record(EventSubmission(eventName: "tokens", customer: customer.id, value: 3000))
        clock.set("2026-02-01T01:00:00Z")
        let report = try ledger.bill()
        let balance = try ledger.creditBalances(customer: customer.id)
        #expect((report.invoicesCreated, report.invoicesFinalized) == (1, 1))
        let invoice = try #require(try ledger.invoices(customer: customer.id).first)
        #expect((invoice.subtotal, invoice.total, invoice.status) == (120, 0, .paid))
        #expect(balance.map(\.availableBalance) == [380])
    }
}
