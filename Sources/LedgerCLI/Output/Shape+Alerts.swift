import LedgerKit

extension Shape {
    /// Stripe's `billing.alert` of type `credit_balance_threshold` (Stripe's GA alerts are
    /// `usage_threshold`; `credit_balance_threshold` and `triggered` are the ledger's).
    static func alert(_ a: Alert) -> JSON {
        .object([
            ("id", .string(a.id.rawValue)), ("object", .string("billing.alert")),
            ("alert_type", .string("credit_balance_threshold")),
            (
                "credit_balance_threshold",
                .object([
                    (
                        "filters",
                        .array([.object([("customer", .string(a.customer.rawValue)), ("type", .string("customer"))])])
                    ),
                    ("lte", .object([("balance_type", .string("monetary")), ("monetary", monetaryValue(a.lte))])),
                ])
            ),
            ("livemode", .bool(false)), ("status", .string(a.status.rawValue)), ("title", .optional(a.title)),
            ("triggered", .bool(a.triggered)), ("usage_threshold", .null),
        ])
    }

    /// The object of `billing.alert.triggered` (Stripe's `billing.alert_triggered`) and of the
    /// ledger's `billing.alert.recovered` (`billing.alert_recovered`): the alert as it was, the
    /// instant of the crossing, and the balance then.
    static func alertCrossing(_ c: AlertCrossing) -> JSON {
        .object([
            ("object", .string(c.triggered ? "billing.alert_triggered" : "billing.alert_recovered")),
            ("alert", alert(c.alert)), ("created", .int(c.at)), ("customer", .string(c.alert.customer.rawValue)),
            ("livemode", .bool(false)), ("value", .int(c.value)),
        ])
    }
}
