import LedgerKit

/// Stripe-shaped JSON of the ledger's objects, one extension per area: Shape+Catalog (customers,
/// products, prices), Shape+Metering (meters, events), Shape+Billing (subscriptions, invoice items,
/// billing runs), Shape+Invoice (invoices and lines), Shape+Credits (grants, credit transactions,
/// balances), Shape+Alerts, Shape+Deleted and Shape+Reports (reconciliation, verification); the
/// feed's events are in FeedCommand. Commands build values; these say how they print with `--json`.
enum Shape {
    /// An amount of money as Stripe nests it: `{"monetary": {"currency", "value"}, "type": "monetary"}`.
    static func monetary(_ m: Money) -> JSON {
        .object([
            ("monetary", monetaryValue(m)),
            ("type", .string("monetary")),
        ])
    }

    /// `{"currency", "value"}` of an amount (minor units).
    static func monetaryValue(_ m: Money) -> JSON {
        .object([("currency", .string(m.currency.code)), ("value", .int(m.amountMinor))])
    }
}
