import LedgerKit

/// Stripe-shaped JSON of the ledger's objects, one extension per area: Shape+Catalog (customers,
/// products, prices), Shape+Metering (meters, events), Shape+Billing (subscriptions, invoice items,
/// invoices, billing runs), Shape+Credits (grants, credit transactions, balances) and Shape+Reports
/// (reconciliation, verification). Commands build values; these say how they print with `--json`.
enum Shape {
    /// An amount of money as Stripe nests it: `{"monetary": {"currency", "value"}, "type": "monetary"}`.
    static func monetary(_ m: Money) -> JSON {
        .object([
            ("monetary", .object([("currency", .string(m.currency.code)), ("value", .int(m.amountMinor))])),
            ("type", .string("monetary")),
        ])
    }
}
