import LedgerKit

extension Shape {
    static func subscription(_ s: Subscription, _ context: ShapeContext) -> JSON {
        .object([
            ("id", .string(s.id.rawValue)), ("object", .string("subscription")),
            ("billing_cycle_anchor", .int(s.billingCycleAnchor)),
            ("billing_mode", .object([("type", .string(s.billingMode.rawValue))])),
            ("cancel_at_period_end", .bool(s.cancelAtPeriodEnd)), ("canceled_at", .optional(s.canceledAt)),
            ("collection_method", .string(s.collection.method.rawValue)),
            ("created", .int(s.created)), ("currency", .string(s.currency.code)),
            ("customer", .string(s.customer.rawValue)), ("days_until_due", .optional(s.collection.daysUntilDue)),
            ("ended_at", .optional(s.endedAt)), ("finalization_grace_seconds", .int(s.graceSeconds)),
            (
                "items",
                .list(
                    s.items.map {
                        subscriptionItem($0, of: s, period: (s.currentPeriodStart, s.currentPeriodEnd), context)
                    }
                )
            ),
            ("livemode", .bool(false)), ("metadata", .metadata(s.metadata)),
            ("start_date", .int(s.startDate)), ("status", .string(s.status.rawValue)),
        ])
    }

    /// A subscription item with its price embedded, as Stripe returns it, and the period it bills
    /// (Stripe keeps the current period on the item since the basil API version).
    static func subscriptionItem(
        _ item: SubscriptionItem, of s: Subscription, period: (start: Int64, end: Int64), _ context: ShapeContext
    ) -> JSON {
        .object([
            ("id", .string(item.id.rawValue)), ("object", .string("subscription_item")),
            ("current_period_end", .int(period.end)), ("current_period_start", .int(period.start)),
            ("metadata", .object([])),
            ("price", context.prices[item.price].map(price) ?? .string(item.price.rawValue)),
            ("quantity", .optional(item.quantity)), ("subscription", .string(s.id.rawValue)),
        ])
    }

    static func invoiceItem(_ ii: InvoiceItem) -> JSON {
        .object([
            ("id", .string(ii.id.rawValue)), ("object", .string("invoiceitem")), ("amount", .int(ii.amount)),
            ("currency", .string(ii.currency.code)), ("customer", .string(ii.customer.rawValue)),
            ("date", .int(ii.created)), ("description", .optional(ii.description)),
            ("invoice", .optional(ii.invoice?.rawValue)), ("livemode", .bool(false)),
            ("metadata", .metadata(ii.metadata)),
            (
                "parent",
                ii.subscription.map { subscription in
                    .object([
                        (
                            "subscription_details",
                            .object([("subscription", .string(subscription.rawValue)), ("subscription_item", .null)])
                        ),
                        ("type", .string("subscription_details")),
                    ])
                } ?? .null
            ),
            // A one-off item covers the instant it was created.
            ("period", .object([("end", .int(ii.created)), ("start", .int(ii.created))])),
            ("pricing", pricing(nil, unitAmount: ii.unitAmount)), ("proration", .bool(false)),
            ("quantity", .optional(ii.quantity.truncatedInt64)), ("quantity_decimal", .string(ii.quantity.description)),
        ])
    }

    /// What a billing run (`bill`) did, with each invoice that failed to finalize.
    static func billingRun(_ report: BillReport) -> JSON {
        .object([
            ("object", .string("billing_run")), ("invoices_created", .int(Int64(report.invoicesCreated))),
            ("invoices_finalized", .int(Int64(report.invoicesFinalized))),
            ("subscriptions_ended", .int(Int64(report.subscriptionsEnded))),
            ("grants_expired", .int(Int64(report.grantsExpired))),
            (
                "invoices_failed",
                .array(
                    report.failures.map { f in
                        .object([
                            ("invoice", .string(f.invoice.rawValue)),
                            ("customer", .string(f.customer.rawValue)),
                            ("at", .int(f.at)), ("code", .string(f.code.rawValue)),
                            ("message", .string(f.message)),
                        ])
                    })
            ),
        ])
    }
}
