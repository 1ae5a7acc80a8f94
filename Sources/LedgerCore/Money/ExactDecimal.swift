/// An exact base-10 number: `significand × 10^-scale`.
///
/// Unit amounts, quantities and meter values are exact decimals so that `0.1 × 150_000` is
/// exactly `15_000`. The value is always normalized (no trailing zero in the significand while
/// `scale > 0`), so equal numbers have equal representations. Every operation checks overflow and
/// throws `amount_overflow` rather than wrap.
public struct ExactDecimal: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public private(set) var significand: Int128
    /// Digits after the decimal point (0 for integers).
    public private(set) var scale: Int

    public static let zero = ExactDecimal(0)

    public init(_ integer: Int64) {
        significand = Int128(integer)
        scale = 0
    }

    public init(integerLiteral value: Int64) {
        self.init(value)
    }

    /// Builds `significand × 10^-scale`, normalized.
    public init(significand: Int128, scale: Int) {
        precondition(scale >= 0, "scale is never negative")
        self.significand = significand
        self.scale = scale
        normalize()
    }

    private mutating func normalize() {
        while scale > 0 && significand % 10 == 0 {
            significand /= 10
            scale -= 1
        }
        if significand == 0 { scale = 0 }
    }

    public var isNegative: Bool { significand < 0 }
    public var isZero: Bool { significand == 0 }
    public var isInteger: Bool { scale == 0 }

    /// Number of significant digits (at least 1): `0.00120` has 2, `1500` has 4.
    public var significantDigits: Int {
        var magnitude = significand.magnitude
        var digits = 0
        while magnitude > 0 {
            magnitude /= 10
            digits += 1
        }
        return max(digits, 1)
    }

    // MARK: Parsing

    /// Parses a plain decimal literal: optional sign, digits, optional point and digits.
    ///
    /// No exponent, no grouping, no spaces. Returns nil when the text is not such a literal or
    /// does not fit 38 digits.
    public init?(parsing text: Substring) {
        var chars = text.utf8[...]
        var negative = false
        if let first = chars.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            chars = chars.dropFirst()
        }
        var value: Int128 = 0
        var scale = 0
        var digits = 0
        var seenPoint = false
        var digitsAfterPoint = 0
        for c in chars {
            if c == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
                continue
            }
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (added, o2) = shifted.addingReportingOverflow(Int128(c - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = added
            digits += 1
            if seenPoint {
                scale += 1
                digitsAfterPoint += 1
            }
        }
        if digits == 0 || (seenPoint && digitsAfterPoint == 0) { return nil }
        if seenPoint && digits == digitsAfterPoint { return nil }  // ".5" is refused; write "0.5"
        self.init(significand: negative ? -value : value, scale: scale)
    }

    public init?(parsing text: String) {
        self.init(parsing: text[...])
    }

    /// The canonical text: no exponent, no trailing zeros (`"1.5"`, `"3000"`, `"-0.000000000001"`).
    public var description: String {
        let negative = significand < 0
        var digits = String(significand.magnitude)
        if scale > 0 {
            if digits.count <= scale {
                digits = String(repeating: "0", count: scale - digits.count + 1) + digits
            }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    // MARK: Arithmetic (checked)

    private static func pow10(_ n: Int) throws -> Int128 {
        var result: Int128 = 1
        for _ in 0..<n {
            let (next, overflow) = result.multipliedReportingOverflow(by: 10)
            if overflow { throw LedgerError.amountOverflow("a decimal needs more than 38 digits") }
            result = next
        }
        return result
    }

    /// The significand expressed at a larger `scale`.
    private func significand(atScale target: Int) throws -> Int128 {
        precondition(target >= scale, "only widens")
        let (value, overflow) = significand.multipliedReportingOverflow(
            by: try Self.pow10(target - scale))
        if overflow { throw LedgerError.amountOverflow("\(self) does not fit 38 digits") }
        return value
    }

    public func adding(_ other: ExactDecimal) throws -> ExactDecimal {
        let target = max(scale, other.scale)
        let (sum, overflow) = try significand(atScale: target)
            .addingReportingOverflow(other.significand(atScale: target))
        if overflow { throw LedgerError.amountOverflow("\(self) + \(other) does not fit") }
        return ExactDecimal(significand: sum, scale: target)
    }

    public func subtracting(_ other: ExactDecimal) throws -> ExactDecimal {
        try adding(other.negated())
    }

    public func negated() -> ExactDecimal {
        ExactDecimal(significand: -significand, scale: scale)
    }

    public func multiplied(by other: ExactDecimal) throws -> ExactDecimal {
        let (product, overflow) = significand.multipliedReportingOverflow(by: other.significand)
        if overflow { throw LedgerError.amountOverflow("\(self) × \(other) does not fit") }
        return ExactDecimal(significand: product, scale: scale + other.scale)
    }

    public enum IntegerRounding: Sendable {
        /// Toward positive infinity (ceiling).
        case up
        /// Toward negative infinity (floor).
        case down
        /// To the nearest integer, halves away from zero (1.5 → 2, -1.5 → -2).
        case halfAwayFromZero
    }

    /// The integer nearest by `rule`, as an exact decimal.
    public func rounded(_ rule: IntegerRounding) -> ExactDecimal {
        if scale == 0 { return self }
        // Never overflows: scale ≤ 38 digits because the significand fits Int128.
        var divisor: Int128 = 1
        for _ in 0..<scale { divisor *= 10 }
        let (quotient, remainder) = significand.quotientAndRemainder(dividingBy: divisor)
        var result = quotient  // truncated toward zero
        switch rule {
        case .up:
            if remainder > 0 { result += 1 }
        case .down:
            if remainder < 0 { result -= 1 }
        case .halfAwayFromZero:
            if remainder.magnitude * 2 >= divisor.magnitude {
                result += significand < 0 ? -1 : 1
            }
        }
        return ExactDecimal(significand: result, scale: 0)
    }

    /// `self ÷ divisor` rounded to an integer by `rule`; used by `transform_quantity`.
    public func divided(byInteger divisor: Int64, rounding rule: IntegerRounding) throws
        -> ExactDecimal
    {
        precondition(divisor > 0, "divide_by is validated positive")
        // q = significand / (divisor × 10^scale), rounded.
        let (denominator, overflow) = Int128(divisor).multipliedReportingOverflow(
            by: try Self.pow10(scale))
        if overflow { throw LedgerError.amountOverflow("\(self) ÷ \(divisor) does not fit") }
        let (quotient, remainder) = significand.quotientAndRemainder(dividingBy: denominator)
        var result = quotient
        switch rule {
        case .up:
            if remainder > 0 { result += 1 }
        case .down:
            if remainder < 0 { result -= 1 }
        case .halfAwayFromZero:
            if remainder.magnitude * 2 >= denominator.magnitude {
                result += significand < 0 ? -1 : 1
            }
        }
        return ExactDecimal(significand: result, scale: 0)
    }

    /// The value as a whole number of minor units; throws if not an integer or too large for Int64.
    public func int64Exactly() throws -> Int64 {
        guard scale == 0 else {
            throw LedgerError.invalidRequest("\(self) is not a whole number", param: nil)
        }
        guard let value = Int64(exactly: significand) else {
            throw LedgerError.amountOverflow("\(self) does not fit a 64-bit amount")
        }
        return value
    }

    /// Rounds half away from zero to a whole number of minor units (once per invoice line).
    public func roundedToMinorUnits() throws -> Int64 {
        try rounded(.halfAwayFromZero).int64Exactly()
    }

    /// The integer part, truncated toward zero, if it fits Int64 (Stripe's integer `quantity`).
    public var truncatedInt64: Int64? {
        var divisor: Int128 = 1
        for _ in 0..<scale { divisor *= 10 }
        return Int64(exactly: significand / divisor)
    }

    public static func < (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        if lhs.scale == rhs.scale { return lhs.significand < rhs.significand }
        // Compare by sign first, then at a common scale; on overflow fall back to the integer parts.
        if (lhs.significand < 0) != (rhs.significand < 0) { return lhs.significand < 0 }
        let target = max(lhs.scale, rhs.scale)
        if let l = try? lhs.significand(atScale: target),
            let r = try? rhs.significand(atScale: target)
        {
            return l < r
        }
        // Magnitudes this large differ in their integer part; compare digit strings instead.
        return lhs.compareSlow(rhs) < 0
    }

    private func compareSlow(_ other: ExactDecimal) -> Int {
        // Both have the same sign here. Compare |integer part| then fractional digits as text.
        let negative = significand < 0
        let a = description.drop(while: { $0 == "-" })
        let b = other.description.drop(while: { $0 == "-" })
        let (ai, af) = Self.split(a)
        let (bi, bf) = Self.split(b)
        var result: Int
        if ai.count != bi.count {
            result = ai.count < bi.count ? -1 : 1
        } else if ai != bi {
            result = ai < bi ? -1 : 1
        } else {
            let width = max(af.count, bf.count)
            let ap = af + String(repeating: "0", count: width - af.count)
            let bp = bf + String(repeating: "0", count: width - bf.count)
            result = ap == bp ? 0 : (ap < bp ? -1 : 1)
        }
        return negative ? -result : result
    }

    private static func split(_ text: Substring) -> (String, String) {
        if let point = text.firstIndex(of: ".") {
            return (String(text[..<point]), String(text[text.index(after: point)...]))
        }
        return (String(text), "")
    }
}
