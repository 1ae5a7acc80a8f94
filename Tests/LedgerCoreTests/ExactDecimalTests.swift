import PropertyBased
import Testing

@testable import LedgerCore

@Suite struct ExactDecimalTests {
    @Test func parsesAndPrintsCanonically() throws {
        let cases: [(String, String)] = [
            ("0", "0"), ("3000", "3000"), ("1.50", "1.5"), ("-0.000000000001", "-0.000000000001"),
            ("+7", "7"), ("0.0", "0"), ("-0", "0"), ("100.000", "100"), ("0.05", "0.05"),
        ]
        for (text, canonical) in cases {
            let value = try #require(ExactDecimal(parsing: text), "\(text)")
            #expect(value.description == canonical)
        }
    }

    @Test(arguments: ["", "-", ".", "1.", ".5", "1.2.3", "1e5", "abc", " 1", "1 ", "1,5", "0x10", "--1"])
    func refusesWhatIsNotAPlainDecimal(_ text: String) {
        #expect(ExactDecimal(parsing: text) == nil)
    }

    @Test func tenthTimes150000IsExactly15000() throws {
        let tenth = try #require(ExactDecimal(parsing: "0.1"))
        let product = try tenth.multiplied(by: ExactDecimal(150_000))
        #expect(product == ExactDecimal(15_000))
        #expect(product.isInteger)
    }

    @Test func roundsHalfAwayFromZero() throws {
        let cases: [(String, Int64)] = [
            ("1.5", 2), ("0.5", 1), ("0.45", 0), ("2.4999999", 2), ("-1.5", -2), ("-0.5", -1),
            ("-0.49", 0), ("1.0", 1), ("123456789.5", 123_456_790),
        ]
        for (text, expected) in cases {
            #expect(try ExactDecimal(parsing: text)!.roundedToMinorUnits() == expected, "\(text)")
        }
    }

    @Test func roundsUpAndDownAsCeilingAndFloor() throws {
        let value = try #require(ExactDecimal(parsing: "-1.2"))
        #expect(value.rounded(.up) == ExactDecimal(-1))
        #expect(value.rounded(.down) == ExactDecimal(-2))
        #expect(ExactDecimal(parsing: "1.2")!.rounded(.up) == ExactDecimal(2))
    }

    @Test func dividesByAnIntegerWithRounding() throws {
        #expect(try ExactDecimal(3000).divided(byInteger: 100, rounding: .up) == ExactDecimal(30))
        #expect(try ExactDecimal(25).divided(byInteger: 100, rounding: .up) == ExactDecimal(1))
        #expect(try ExactDecimal(199).divided(byInteger: 100, rounding: .down) == ExactDecimal(1))
        #expect(try ExactDecimal(0).divided(byInteger: 100, rounding: .up) == ExactDecimal(0))
        #expect(try ExactDecimal(parsing: "100.5")!.divided(byInteger: 100, rounding: .up) == ExactDecimal(2))
    }

    @Test func comparesAcrossScales() throws {
        let a = try #require(ExactDecimal(parsing: "1.05"))
        let b = try #require(ExactDecimal(parsing: "1.1"))
        #expect(a < b)
        #expect(ExactDecimal(parsing: "-2")! < ExactDecimal(parsing: "-1.999999999999")!)
        #expect(ExactDecimal(parsing: "1.10")! == ExactDecimal(parsing: "1.1")!)
    }

    @Test func overflowThrowsInsteadOfWrapping() throws {
        let big = try #require(ExactDecimal(parsing: "99999999999999999999"))
        #expect(throws: LedgerError.self) { try big.multiplied(by: big) }
        #expect(throws: LedgerError.self) { try ExactDecimal(parsing: "9223372036854775808")!.int64Exactly() }
        #expect(ExactDecimal(parsing: "999999999999999999999999999999999999999999") == nil)
        do {
            _ = try big.multiplied(by: big)
        } catch let error as LedgerError {
            #expect(error.code == .amountOverflow)
        }
    }

    @Test func quantityLimits() throws {
        #expect(try ExactDecimal.quantity("0.000000000001", param: "q") == ExactDecimal(parsing: "0.000000000001"))
        #expect(try ExactDecimal.quantity("123456789012345", param: "q").significantDigits == 15)
        #expect(throws: LedgerError.self) { try ExactDecimal.quantity("0.0000000000001", param: "q") }
        #expect(throws: LedgerError.self) { try ExactDecimal.quantity("1234567890123456", param: "q") }
        #expect(throws: LedgerError.self) { try ExactDecimal.quantity("-1", param: "q") }
        #expect(try ExactDecimal.quantity("-1.5", param: "value", allowNegative: true) == ExactDecimal(parsing: "-1.5"))
    }

    @Test func additionIsExactOnRandomValues() async {
        // Adding n tenths gives n/10 exactly: the classic binary floating point failure.
        await propertyCheck(input: Gen.int(in: 0...100_000)) { n in
            var sum = ExactDecimal.zero
            let tenth = ExactDecimal(parsing: "0.1")!
            for _ in 0..<(n % 200) { sum = try! sum.adding(tenth) }
            #expect(sum == ExactDecimal(significand: Int128(n % 200), scale: 1))
        }
    }

    @Test func textRoundTrips() async {
        await propertyCheck(input: Gen.int64(in: -999_999_999_999_999...999_999_999_999_999), Gen.int(in: 0...12)) {
            significand, scale in
            let value = ExactDecimal(significand: Int128(significand), scale: scale)
            #expect(ExactDecimal(parsing: value.description) == value)
        }
    }
}
