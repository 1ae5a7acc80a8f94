/// An exact, non-negative amount of minor units before rounding: a whole part and a fraction.
///
/// A line's exact amount is a unit amount (up to 12 fractional digits) times a quantity (up to 12
/// more), so it may need 24 fractional digits beside a whole part of up to 19: more than the 38
/// digits an `ExactDecimal` holds, even when the rounded amount fits 64 bits. This type keeps the
/// whole part (128 bits) apart from the fraction (up to 38 digits), and the product is formed at
/// full width (256 bits) before it is split, so no digit is lost and nothing overflows until the
/// whole part itself does not fit.
public struct ExactAmount: Hashable, Sendable, CustomStringConvertible {
    /// The integer part, ≥ 0.
    public private(set) var whole: Int128
    /// The fractional part as `fractionDigits × 10^-fractionScale`, in `[0, 1)`, normalized (no
    /// trailing zero digit).
    public private(set) var fractionDigits: UInt128
    public private(set) var fractionScale: Int

    public static let zero = ExactAmount(whole: 0, fractionDigits: 0, fractionScale: 0)

    /// The largest fraction scale: 10^38 still fits `UInt128`, and the sum of two fractions too.
    static let maxScale = 38

    private init(whole: Int128, fractionDigits: UInt128, fractionScale: Int) {
        self.whole = whole
        self.fractionDigits = fractionDigits
        self.fractionScale = fractionScale
        normalize()
    }

    private mutating func normalize() {
        while fractionScale > 0 && fractionDigits % 10 == 0 {
            fractionDigits /= 10
            fractionScale -= 1
        }
        if fractionDigits == 0 { fractionScale = 0 }
        assert(fractionDigits < Self.pow10(fractionScale), "the fraction is below 1")
    }

    /// The value of a non-negative decimal.
    /// - Throws: `amount_overflow` for a negative value (amounts priced here are never negative).
    public init(_ value: ExactDecimal) throws {
        guard !value.isNegative else { throw LedgerError.amountOverflow("a priced amount cannot be negative") }
        guard value.scale <= Self.maxScale else { throw LedgerError.amountOverflow("\(value) has over 38 decimals") }
        let divisor = Self.pow10(value.scale)
        let magnitude = UInt128(value.significand)
        self.init(
            whole: Int128(magnitude / divisor), fractionDigits: magnitude % divisor, fractionScale: value.scale)
    }

    /// `a × b`, exactly, for non-negative `a` and `b`.
    /// - Throws: `amount_overflow` when the whole part needs more than 127 bits.
    public static func product(_ a: ExactDecimal, _ b: ExactDecimal) throws -> ExactAmount {
        guard !a.isNegative, !b.isNegative else {
            throw LedgerError.amountOverflow("a priced amount cannot be negative")
        }
        let scale = a.scale + b.scale
        guard scale <= maxScale else { throw LedgerError.amountOverflow("\(a) × \(b) needs more than 38 decimals") }
        let (high, low) = UInt128(a.significand).multipliedFullWidth(by: UInt128(b.significand))
        let divisor = pow10(scale)
        // The quotient fits 128 bits exactly when the high word is below the divisor.
        guard high < divisor else { throw LedgerError.amountOverflow("\(a) × \(b) does not fit") }
        let (quotient, remainder) = divisor.dividingFullWidth((high, low))
        guard let whole = Int128(exactly: quotient) else {
            throw LedgerError.amountOverflow("\(a) × \(b) does not fit")
        }
        return ExactAmount(whole: whole, fractionDigits: remainder, fractionScale: scale)
    }

    /// `self + other`, exactly.
    /// - Throws: `amount_overflow` when the whole part overflows.
    public func adding(_ other: ExactAmount) throws -> ExactAmount {
        let scale = max(fractionScale, other.fractionScale)
        let unit = Self.pow10(scale)
        // Each fraction is below 10^38 at scale ≤ 38, so their sum is below 2 × 10^38 < 2^128.
        let fractions =
            fractionDigits * Self.pow10(scale - fractionScale) + other.fractionDigits
            * Self.pow10(scale - other.fractionScale)
        let carry: Int128 = fractions >= unit ? 1 : 0
        let (sum, o1) = whole.addingReportingOverflow(other.whole)
        let (total, o2) = sum.addingReportingOverflow(carry)
        if o1 || o2 { throw LedgerError.amountOverflow("\(self) + \(other) does not fit") }
        return ExactAmount(whole: total, fractionDigits: fractions % unit, fractionScale: scale)
    }

    /// Rounded half away from zero to whole minor units (once per invoice line).
    /// - Throws: `amount_overflow` when the result does not fit a 64-bit amount.
    public func roundedToMinorUnits() throws -> Int64 {
        let half = fractionScale > 0 && fractionDigits * 2 >= Self.pow10(fractionScale)
        guard let value = Int64(exactly: whole + (half ? 1 : 0)) else {
            throw LedgerError.amountOverflow("\(self) does not fit a 64-bit amount")
        }
        return value
    }

    /// The same value as an `ExactDecimal`, when it fits 38 digits.
    public var decimal: ExactDecimal? {
        let (shifted, o1) = whole.multipliedReportingOverflow(by: Int128(Self.pow10(fractionScale)))
        guard !o1, let fraction = Int128(exactly: fractionDigits) else { return nil }
        let (significand, o2) = shifted.addingReportingOverflow(fraction)
        return o2 ? nil : ExactDecimal(significand: significand, scale: fractionScale)
    }

    /// The canonical text: `"1.5"`, `"3000"`, `"123456789012345.000000000000000000000001"`.
    public var description: String {
        guard fractionScale > 0 else { return String(whole) }
        let digits = String(fractionDigits)
        return String(whole) + "." + String(repeating: "0", count: fractionScale - digits.count) + digits
    }

    private static func pow10(_ n: Int) -> UInt128 {
        precondition((0...maxScale).contains(n), "scales stay within 38 digits")
        var result: UInt128 = 1
        for _ in 0..<n { result *= 10 }
        return result
    }
}
