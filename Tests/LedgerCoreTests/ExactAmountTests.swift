import PropertyBased
import Testing

@testable import LedgerCore

@Suite struct ExactAmountTests {
    static func d(_ text: String) -> ExactDecimal { ExactDecimal(parsing: text)! }

    /// A legal 13-digit unit amount times a usage sum with 12 decimals: 40 digits exactly, more
    /// than an `ExactDecimal` holds, while the rounded line fits 64 bits.
    @Test func aProductWiderThan38DigitsIsExact() throws {
        let unit = Self.d("1.123456789012")
        let usage = Self.d("923456789012345.123456789012")
        #expect(throws: LedgerError.self) { try unit.multiplied(by: usage) }
        let product = try ExactAmount.product(unit, usage)
        #expect(product.description == "1037463798975141.215226720905153483936144")
        #expect(try product.roundedToMinorUnits() == 1_037_463_798_975_141)
        #expect(product.decimal == nil)
        let usd = try Currency(code: "usd")
        #expect(MoneyFormat.text(exactMinor: product, usd) == "10,374,637,989,751.41215226720905153483936144 usd")
        #expect(MoneyFormat.text(exactMinor: try ExactAmount(Self.d("0.5")), usd) == "0.005 usd")
        #expect(MoneyFormat.text(exactMinor: try ExactAmount(Self.d("125")), usd) == "1.25 usd")
    }

    @Test func roundsHalfAwayFromZeroAcrossTheFullWidth() throws {
        let product = try ExactAmount.product(Self.d("999999.999999999999"), Self.d("999999999.999999999999"))
        #expect(product.description == "999999999999999.998999000000000000000001")
        #expect(try product.roundedToMinorUnits() == 1_000_000_000_000_000)
        #expect(try ExactAmount.product(Self.d("0.05"), Self.d("30")).roundedToMinorUnits() == 2)
        #expect(try ExactAmount.product(Self.d("0.05"), Self.d("9")).roundedToMinorUnits() == 0)
    }

    @Test func aWholePartBeyond64BitsIsAnOverflowOfTheLineOnly() throws {
        let product = try ExactAmount.product(Self.d("99999999999999999999"), Self.d("999999999999999"))
        #expect(product.description == "99999999999999899999000000000000001")
        let error = #expect(throws: LedgerError.self) { try product.roundedToMinorUnits() }
        #expect(error?.code == .amountOverflow)
    }

    @Test func additionCarriesTheFraction() throws {
        let a = try ExactAmount(Self.d("0.299999999999999999999999"))
        let b = try ExactAmount(Self.d("0.200000000000000000000001"))
        let sum = try a.adding(b)
        #expect(sum.description == "0.5")
        #expect(try sum.roundedToMinorUnits() == 1)
        let carried = try ExactAmount(Self.d("0.75")).adding(try ExactAmount(Self.d("0.75")))
        #expect(carried.description == "1.5")
        #expect(carried.decimal == Self.d("1.5"))
    }

    @Test func negativesAreRefused() {
        #expect(throws: LedgerError.self) { try ExactAmount(Self.d("-1")) }
        #expect(throws: LedgerError.self) { try ExactAmount.product(Self.d("-1"), Self.d("2")) }
    }

    /// Whenever the narrow product fits, the wide one is the same number.
    @Test func agreesWithTheNarrowProductWhereItFits() async {
        let digits = Gen.int64(in: 0...999_999_999_999_999)
        let scales = Gen.int(in: 0...12)
        await propertyCheck(count: 500, input: digits, scales, digits, scales) { a, sa, b, sb in
            let x = ExactDecimal(significand: Int128(a), scale: sa)
            let y = ExactDecimal(significand: Int128(b), scale: sb)
            let wide = try! ExactAmount.product(x, y)
            let narrow = try! x.multiplied(by: y)
            #expect(wide.decimal == narrow)
            #expect(wide.description == narrow.description)
            if let rounded = try? narrow.roundedToMinorUnits() {
                #expect(try! wide.roundedToMinorUnits() == rounded)
            }
        }
    }
}
