import Testing

@testable import LedgerCore

@Suite struct MoneyFormatTests {
    @Test(
        "whole minor units print in major units with the currency's exponent, grouped, lowercase code",
        arguments: [
            ("usd", Int64(10_000), "100.00 usd"), ("usd", 0, "0.00 usd"), ("usd", 1, "0.01 usd"),
            ("usd", 99, "0.99 usd"), ("usd", 100, "1.00 usd"), ("usd", 1_250, "12.50 usd"),
            ("usd", 100_000, "1,000.00 usd"), ("usd", 12_000_000, "120,000.00 usd"),
            ("usd", 123_456_789, "1,234,567.89 usd"), ("USD", 1, "0.01 usd"),
            ("jpy", 0, "0 jpy"), ("jpy", 500, "500 jpy"), ("jpy", 999, "999 jpy"), ("jpy", 1_000, "1,000 jpy"),
            ("jpy", 1_234_567, "1,234,567 jpy"), ("krw", 100_000, "100,000 krw"),
            ("kwd", 1, "0.001 kwd"), ("kwd", 12_000_000, "12,000.000 kwd"), ("kwd", 1_234_567, "1,234.567 kwd"),
            ("bhd", 100_000, "100.000 bhd"),
            ("clf", 1, "0.0001 clf"), ("clf", 12_345, "1.2345 clf"), ("clf", 12_345_678, "1,234.5678 clf"),
        ])
    func wholeAmounts(_ code: String, _ minor: Int64, _ text: String) throws {
        let currency = try Currency(code: code)
        #expect(MoneyFormat.text(minor, currency) == text)
        #expect(Money(amountMinor: minor, currency: currency).formatted == text)
    }

    @Test(
        "negative amounts carry a leading minus before the grouped digits",
        arguments: [
            ("usd", Int64(-15_000), "-150.00 usd"), ("usd", -1, "-0.01 usd"), ("usd", -99, "-0.99 usd"),
            ("usd", -100_000, "-1,000.00 usd"), ("jpy", -500, "-500 jpy"), ("jpy", -1_000, "-1,000 jpy"),
            ("kwd", -1, "-0.001 kwd"), ("clf", -12_345, "-1.2345 clf"),
        ])
    func negativeAmounts(_ code: String, _ minor: Int64, _ text: String) throws {
        #expect(MoneyFormat.text(minor, try Currency(code: code)) == text)
    }

    @Test("the 64-bit bounds print exactly, Int64.min included (its magnitude has no Int64)")
    func bounds() throws {
        let usd = try Currency(code: "usd")
        let jpy = try Currency(code: "jpy")
        let clf = try Currency(code: "clf")
        #expect(MoneyFormat.text(.max, usd) == "92,233,720,368,547,758.07 usd")
        #expect(MoneyFormat.text(.min, usd) == "-92,233,720,368,547,758.08 usd")
        #expect(MoneyFormat.text(.max, jpy) == "9,223,372,036,854,775,807 jpy")
        #expect(MoneyFormat.text(.min, jpy) == "-9,223,372,036,854,775,808 jpy")
        #expect(MoneyFormat.text(.max, clf) == "922,337,203,685,477.5807 clf")
        #expect(MoneyFormat.text(.min + 1, clf) == "-922,337,203,685,477.5807 clf")
    }

    @Test(
        "exact decimal minor units print in major units keeping every digit",
        arguments: [
            ("usd", "4", "0.04 usd"), ("usd", "0.1", "0.001 usd"), ("usd", "0", "0.00 usd"),
            ("usd", "400", "4.00 usd"), ("usd", "1.5", "0.015 usd"), ("usd", "0.05", "0.0005 usd"),
            ("usd", "150.50", "1.505 usd"), ("usd", "123456789.5", "1,234,567.895 usd"),
            ("usd", "0.000000000001", "0.00000000000001 usd"), ("usd", "-3", "-0.03 usd"),
            ("usd", "99999999999999999999", "999,999,999,999,999,999.99 usd"),
            ("jpy", "4", "4 jpy"), ("jpy", "0.5", "0.5 jpy"), ("jpy", "1500", "1,500 jpy"),
            ("kwd", "1", "0.001 kwd"), ("kwd", "0.000000000001", "0.000000000000001 kwd"),
            ("clf", "12345.6", "1.23456 clf"),
        ])
    func exactAmounts(_ code: String, _ minor: String, _ text: String) throws {
        let amount = try #require(ExactDecimal(parsing: minor))
        #expect(MoneyFormat.text(exactMinor: amount, try Currency(code: code)) == text)
    }

    @Test(
        "a quote of one unit prints its amount and its exact amount alike, in the currency's exponent",
        arguments: [
            ("usd", Int64(120), "1.20"), ("jpy", 450, "450"), ("kwd", 3000, "3.000"), ("eur", 5, "0.05"),
            ("krw", 1000, "1,000"), ("bhd", 1, "0.001"), ("clf", 12345, "1.2345"),
            ("usd", 12_000_000, "120,000.00"), ("kwd", 12_000_000, "12,000.000"),
        ])
    func quotedAmounts(_ code: String, _ minor: Int64, _ major: String) throws {
        let currency = try Currency(code: code)
        #expect(MoneyFormat.text(minor, currency) == "\(major) \(code)")
        #expect(MoneyFormat.text(exactMinor: try ExactAmount(ExactDecimal(minor)), currency) == "\(major) \(code)")
    }

    @Test("an exact whole amount prints as the same whole amount does", arguments: ["usd", "jpy", "kwd", "clf"])
    func exactAgreesWithWhole(_ code: String) throws {
        let currency = try Currency(code: code)
        for minor: Int64 in [0, 1, 7, 999, 1_000, 123_456_789, -42, .max, .min] {
            #expect(MoneyFormat.text(exactMinor: ExactDecimal(minor), currency) == MoneyFormat.text(minor, currency))
        }
    }

    @Test("grouping never touches the fraction, and removing the separators gives decimalText")
    func groupingOnlyInTheIntegerPart() throws {
        for code in ["usd", "jpy", "kwd", "clf"] {
            let currency = try Currency(code: code)
            for minor: Int64 in [0, 5, 12_345_678, -9_876_543_210, .max, .min] {
                let money = Money(amountMinor: minor, currency: currency)
                let text = money.formatted
                #expect(text.hasSuffix(" " + code))
                let number = text.dropLast(code.count + 1)
                #expect(number.replacing(",", with: "") == money.decimalText)
                if let point = number.firstIndex(of: ".") { #expect(!number[point...].contains(",")) }
            }
        }
    }
}
