/// Parsing of user-supplied decimals with the spec's limits, each failure naming the value.
extension ExactDecimal {
    /// A quantity or meter value: at most 12 digits after the point, 15 significant digits.
    /// Negative values are allowed only when `allowNegative` (meter values are; quantities not).
    /// - Throws: `invalid_quantity`.
    public static func quantity(_ text: String, param: String, allowNegative: Bool = false) throws
        -> ExactDecimal
    {
        guard let value = ExactDecimal(parsing: text) else {
            throw LedgerError(.invalidQuantity, "\(param) '\(text)' is not a decimal number", param: param)
        }
        return try checkQuantity(value, text: text, param: param, allowNegative: allowNegative)
    }

    /// Accepts a quantity within the limits `quantity(_:param:allowNegative:)` parses to.
    /// - Throws: `invalid_quantity` naming `param` and `text` (default: the value's own text).
    @discardableResult
    public static func checkQuantity(
        _ value: ExactDecimal, text given: String? = nil, param: String, allowNegative: Bool = false
    ) throws -> ExactDecimal {
        var text: String { given ?? value.description }  // built only for an error
        if value.isNegative && !allowNegative {
            throw LedgerError(.invalidQuantity, "\(param) '\(text)' is negative", param: param)
        }
        if value.scale > Limits.fractionDigitsMax {
            throw LedgerError(
                .invalidQuantity,
                "\(param) '\(text)' has more than \(Limits.fractionDigitsMax) digits after the point",
                param: param)
        }
        if value.significantDigits > Limits.quantitySignificantDigitsMax {
            throw LedgerError(
                .invalidQuantity,
                "\(param) '\(text)' has more than \(Limits.quantitySignificantDigitsMax) significant digits",
                param: param)
        }
        return value
    }

    /// A decimal amount in minor units (`unit_amount_decimal`, `flat_amount_decimal`): not
    /// negative, at most 12 digits after the point.
    /// - Throws: `invalid_amount`, or `amount_overflow` when it has more than 20 significant digits.
    public static func unitAmount(_ text: String, param: String) throws -> ExactDecimal {
        guard let value = ExactDecimal(parsing: text) else {
            throw LedgerError(.invalidAmount, "\(param) '\(text)' is not a decimal number", param: param)
        }
        if value.isNegative {
            throw LedgerError(.invalidAmount, "\(param) '\(text)' is negative", param: param)
        }
        if value.scale > Limits.fractionDigitsMax {
            throw LedgerError(
                .invalidAmount,
                "\(param) '\(text)' has more than \(Limits.fractionDigitsMax) digits after the point",
                param: param)
        }
        if value.significantDigits > Limits.unitAmountSignificantDigitsMax {
            throw LedgerError(
                .amountOverflow,
                "\(param) '\(text)' has more than \(Limits.unitAmountSignificantDigitsMax) significant digits",
                param: param)
        }
        return value
    }
}

/// Parsing of integer minor-unit amounts.
public enum AmountInput {
    /// A whole, non-negative number of minor units that fits 64 bits.
    /// - Throws: `invalid_amount` for text that is not a whole number or is negative,
    ///   `amount_overflow` for a number too large for 64 bits.
    public static func minorUnits(_ text: String, param: String, allowZero: Bool = true) throws
        -> Int64
    {
        guard let value = ExactDecimal(parsing: text), value.isInteger else {
            throw LedgerError(
                .invalidAmount, "\(param) '\(text)' is not a whole number of minor units", param: param)
        }
        if value.isNegative {
            throw LedgerError(.invalidAmount, "\(param) '\(text)' is negative", param: param)
        }
        guard let amount = Int64(exactly: value.significand) else {
            throw LedgerError(
                .amountOverflow, "\(param) '\(text)' does not fit a 64-bit amount", param: param)
        }
        if amount == 0 && !allowZero {
            throw LedgerError(.invalidAmount, "\(param) must be greater than 0", param: param)
        }
        return amount
    }
}
