import LedgerKit

extension Shape {
    /// Stripe's `billing.alert` of type `credit_balance_threshold` (Stripe's GA alerts are
    /// `usage_threshold`; `credit_balance_threshold` and `triggered` are the ledger's).
    static func alert(_ a: Alert) -> JSON {
        let filters = JSON.array([
            .object([("customer", .string(a.customer.rawValue)), ("type", .string("customer"))])
        ])
        let credit: JSON =
            a.lte.map {
                .object([
                    ("filters", filters),
                    ("lte", .object([("balance_type", .string("monetary")), ("monetary", monetaryValue($0))])),
                ])
            } ?? .null
        let usage: JSON =
            a.usage.map {
                .object([
                    ("filters", filters), ("gte", .number($0.gte)), ("meter", .string($0.meter.rawValue)),
                    ("recurrence", .string($0.recurrence.rawValue)),
                ])
            } ?? .null
        return .object([
            ("id", .string(a.id.rawValue)), ("object", .string("billing.alert")),
            ("alert_type", .string(a.usage == nil ? "credit_balance_threshold" : "usage_threshold")),
            ("credit_balance_threshold", credit), ("livemode", .bool(false)), ("status", .string(a.status.rawValue)),
            ("title", .optional(a.title)), ("triggered", .bool(a.triggered)), ("usage_threshold", usage),
        ])
    }

    /// The object of `billing.alert.triggered` (Stripe's `billing.alert_triggered`) and of the
    /// ledger's `billing.alert.recovered` (`billing.alert_recovered`): the alert as it was, the
    /// instant of the crossing, and the balance then.
    static func alertCrossing(_ c: AlertCrossing) -> JSON {
        .object([
            ("object", .string(c.triggered ? "billing.alert_triggered" : "billing.alert_recovered")),
            ("alert", alert(c.alert)), ("created", .int(c.at)), ("customer", .string(c.alert.customer.rawValue)),
            ("livemode", .bool(false)), ("value", c.usage.map { .number($0) } ?? .int(c.value)),
        ])
    }
}
