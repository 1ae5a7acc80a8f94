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
