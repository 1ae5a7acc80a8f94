/// Money as people read it: major units, the integer part grouped by thousands, then the
/// lowercase currency code.
///
/// Every human output uses this one convention, so that a figure never has to be guessed to be
/// cents or dollars: `1250` usd → `12.50 usd`, `12000000` kwd → `12,000.000 kwd`, `500` jpy →
/// `500 jpy`, `-15000` usd → `-150.00 usd`. Exact decimal amounts of minor units (unit amounts,
/// flat amounts, a line's exact amount) keep every digit: `4` minor units of usd → `0.04 usd`,
/// `0.1` → `0.001 usd`. JSON output keeps Stripe's integer minor units and never uses this.
/// Only integer and string arithmetic, so the text is exact for every 64-bit amount.
public enum MoneyFormat {
    /// A whole number of minor units in major units: `MoneyFormat.text(1_250, usd)` is `"12.50 usd"`.
    public static func text(_ amountMinor: Int64, _ currency: Currency) -> String {
        compose(
            negative: amountMinor < 0, digits: String(amountMinor.magnitude),
            fractionDigits: currency.exponent, currency: currency)
    }

    /// A whole number of minor units as a plain decimal number of major units, for machines (CSV):
    /// no grouping and no currency code, exactly the currency's exponent of fraction digits.
    /// `MoneyFormat.decimal(-1_250, usd)` is `"-12.50"`, `500` jpy is `"500"`, `12000000` kwd is
    /// `"12000.000"`.
    public static func decimal(_ amountMinor: Int64, _ currency: Currency) -> String {
        compose(
            negative: amountMinor < 0, digits: String(amountMinor.magnitude), fractionDigits: currency.exponent,
            currency: nil)
    }

    /// An exact decimal amount of minor units in major units, every digit kept: at least the
    /// currency's exponent of fraction digits, more when the amount has a fraction of a minor unit.
    /// `0.1` minor units of usd is `"0.001 usd"`, `400` is `"4.00 usd"`, `1.5` of jpy is `"1.5 jpy"`.
    public static func text(exactMinor amount: ExactDecimal, _ currency: Currency) -> String {
        // ExactDecimal is normalized, so `scale` counts only the fraction digits that matter.
        compose(
            negative: amount.isNegative, digits: String(amount.significand.magnitude),
            fractionDigits: amount.scale + currency.exponent, currency: currency)
    }

    /// A line's exact amount (wider than an `ExactDecimal`) in major units, every digit kept.
    public static func text(exactMinor amount: ExactAmount, _ currency: Currency) -> String {
        let fraction = String(amount.fractionDigits)
        let digits =
            String(amount.whole)
            + (amount.fractionScale > 0
                ? String(repeating: "0", count: amount.fractionScale - fraction.count) + fraction : "")
        return compose(
            negative: false, digits: digits, fractionDigits: amount.fractionScale + currency.exponent,
            currency: currency)
    }

    /// Digits of a magnitude read as `digits × 10^-fractionDigits`, signed; grouped and coded
    /// when `currency` is given (human text), plain otherwise (`decimal`).
    private static func compose(negative: Bool, digits: String, fractionDigits: Int, currency: Currency?) -> String {
        precondition(fractionDigits >= 0, "an exponent and a scale are never negative")
        precondition(!digits.isEmpty, "a magnitude has at least one digit")
        var padded = digits
        if padded.count <= fractionDigits {
            padded = String(repeating: "0", count: fractionDigits - padded.count + 1) + padded
        }
        let point = padded.index(padded.endIndex, offsetBy: -fractionDigits)
        let integer = padded[..<point]
        var text = negative ? "-" : ""
        for (offset, digit) in integer.enumerated() {
            if currency != nil && offset > 0 && (integer.count - offset) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        if fractionDigits > 0 { text += "." + padded[point...] }
        return currency.map { text + " " + $0.code } ?? text
    }
}

extension Money {
    /// The human text of the amount (see `MoneyFormat`): `12.50 usd`, `-150.00 usd`, `500 jpy`.
    public var formatted: String { MoneyFormat.text(amountMinor, currency) }
}
