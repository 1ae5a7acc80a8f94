/// An ISO 4217 currency, lowercase (`usd`), with its minor-unit exponent (usd 2, jpy 0, kwd 3).
///
/// Only codes of the ISO table exist: `Currency(code:)` refuses anything else, so an amount can
/// never be in an unknown currency.
public struct Currency: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Lowercase three-letter code.
    public let code: String
    /// Digits of the minor unit: an amount of 1 minor unit is `10^-exponent` of the major unit.
    public let exponent: Int

    /// The currency for an ISO 4217 code, case-insensitive.
    /// - Throws: `invalid_currency` when the code is not in the ISO 4217 table.
    public init(code: String) throws {
        // Stored codes are already lowercase: skip the Unicode-aware lowercasing for them.
        let lower = code.utf8.allSatisfy { $0 >= 97 && $0 <= 122 } ? code : code.lowercased()
        guard let exponent = Self.iso4217Exponents[lower] else {
            throw LedgerError.invalidCurrency(code)
        }
        self.code = lower
        self.exponent = exponent
    }

    public var description: String { code }

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }

    /// Every currency of the table, sorted by code.
    public static var all: [Currency] {
        iso4217Exponents.keys.sorted().map { try! Currency(code: $0) }
    }
}

/// A currency encodes as its lowercase ISO 4217 code; decoding refuses an unknown code.
extension Currency: Codable {
    public init(from decoder: any Decoder) throws {
        try self.init(code: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }
}
