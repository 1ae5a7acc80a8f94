/// An amount of money, counted in the currency's minor unit (cents for usd).
public struct Money: Hashable, Sendable {
    public var amountMinor: Int64
    public var currency: Currency

    public init(amountMinor: Int64, currency: Currency) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// The amount in major units as exact text: 1250 usd → "12.50", 5 jpy → "5", 1 kwd → "0.001".
    public var decimalText: String {
        let negative = amountMinor < 0
        var digits = String(amountMinor.magnitude)
        guard currency.exponent > 0 else { return negative ? "-" + digits : digits }
        if digits.count <= currency.exponent {
            digits = String(repeating: "0", count: currency.exponent - digits.count + 1) + digits
        }
        digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -currency.exponent))
        return negative ? "-" + digits : digits
    }

    /// - Throws: `currency_mismatch`, or `amount_overflow` when the sum does not fit 64 bits.
    public func adding(_ other: Money) throws -> Money {
        guard currency == other.currency else {
            throw LedgerError.currencyMismatch(currency, other.currency)
        }
        let (sum, overflow) = amountMinor.addingReportingOverflow(other.amountMinor)
        if overflow {
            throw LedgerError.amountOverflow("\(amountMinor) + \(other.amountMinor) \(currency)")
        }
        return Money(amountMinor: sum, currency: currency)
    }
}

/// Checked 64-bit arithmetic on minor units: an overflow is an error, never a wrap.
public enum MinorUnits {
    /// - Throws: `amount_overflow`.
    public static func sum<S: Sequence>(_ amounts: S) throws -> Int64 where S.Element == Int64 {
        var total: Int64 = 0
        for amount in amounts {
            let (next, overflow) = total.addingReportingOverflow(amount)
            if overflow { throw LedgerError.amountOverflow("a sum of amounts does not fit 64 bits") }
            total = next
        }
        return total
    }
}

/// Money encodes as Stripe's monetary shape: `{"currency": "usd", "value": 1250}` (minor units).
extension Money: Codable {
    enum CodingKeys: String, CodingKey {
        case currency
        case value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            amountMinor: try container.decode(Int64.self, forKey: .value),
            currency: try container.decode(Currency.self, forKey: .currency))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(currency, forKey: .currency)
        try container.encode(amountMinor, forKey: .value)
    }
}
