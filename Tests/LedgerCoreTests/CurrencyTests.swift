import Testing

@testable import LedgerCore

@Suite struct CurrencyTests {
    @Test(arguments: [
        ("usd", 2), ("EUR", 2), ("jpy", 0), ("KRW", 0), ("kwd", 3), ("bhd", 3), ("clf", 4),
        ("isk", 0), ("vnd", 0), ("tnd", 3),
    ])
    func exponentsFollowISO4217(_ code: String, _ exponent: Int) throws {
        let currency = try Currency(code: code)
        #expect(currency.exponent == exponent)
        #expect(currency.code == code.lowercased())
    }

    @Test(arguments: ["xyz", "", "us", "usdd", "xau", "btc"])
    func unknownCodesAreRejected(_ code: String) {
        #expect(throws: LedgerError.invalidCurrency(code)) { try Currency(code: code) }
    }

    @Test func theTableIsComplete() {
        // ISO 4217 list one has about 165 codes with a numeric minor unit.
        #expect(Currency.all.count >= 150)
        #expect(Currency.all.allSatisfy { $0.code.count == 3 && $0.code == $0.code.lowercased() })
    }

    @Test(arguments: [("usd", Int64(1250), "12.50"), ("jpy", 1250, "1250"), ("kwd", 1, "0.001"), ("usd", -5, "-0.05")])
    func moneyPrintsInMajorUnits(_ code: String, _ minor: Int64, _ text: String) throws {
        #expect(Money(amountMinor: minor, currency: try Currency(code: code)).decimalText == text)
    }

    @Test func moneyAdditionChecksOverflowAndCurrency() throws {
        let usd = try Currency(code: "usd")
        let eur = try Currency(code: "eur")
        let max = Money(amountMinor: .max, currency: usd)
        #expect(throws: LedgerError.self) { try max.adding(Money(amountMinor: 1, currency: usd)) }
        #expect(throws: LedgerError.currencyMismatch(usd, eur)) {
            try Money(amountMinor: 1, currency: usd).adding(Money(amountMinor: 1, currency: eur))
        }
        #expect(try MinorUnits.sum([1, 2, 3]) == 6)
        #expect(throws: LedgerError.self) { try MinorUnits.sum([Int64.max, 1]) }
    }
}
