import LedgerKit

extension Shape {
    static func subscription(_ s: Subscription) -> JSON {
        .object([
            ("id", .string(s.id.rawValue)), ("object", .string("subscription")),
            ("billing_cycle_anchor", .int(s.billingCycleAnchor)),
            ("billing_mode", .object([("type", .string(s.billingMode.rawValue))])),
            ("cancel_at_period_end", .bool(s.cancelAtPeriodEnd)), ("canceled_at", .optional(s.canceledAt)),
            ("created", .int(s.created)), ("currency", .string(s.currency.code)),
            ("customer", .string(s.customer.rawValue)),
            ("current_period_end", .int(s.currentPeriodEnd)), ("current_period_start", .int(s.currentPeriodStart)),
            ("ended_at", .optional(s.endedAt)), ("finalization_grace_seconds", .int(s.graceSeconds)),
            (
                "items",
                .list(
                    s.items.map { item in
                        .object([
                            ("id", .string(item.id.rawValue)), ("object", .string("subscription_item")),
                            ("price", .string(item.price.rawValue)), ("quantity", .optional(item.quantity)),
                            ("subscription", .string(s.id.rawValue)),
                            ("current_period_start", .int(s.currentPeriodStart)),
                            ("current_period_end", .int(s.currentPeriodEnd)),
                        ])
                    })
            ),
            ("livemode", .bool(false)), ("metadata", .metadata(s.metadata)),
            ("plan_interval", .string(s.interval.rawValue)), ("plan_interval_count", .int(Int64(s.intervalCount))),
            ("start_date", .int(s.startDate)), ("status", .string(s.status.rawValue)),
        ])
    }

    static func invoiceLine(_ l: InvoiceLine, invoice: Invoice) -> JSON {
        .object([
            ("id", .string(l.id.rawValue)), ("object", .string("line_item")), ("amount", .int(l.amount)),
            ("currency", .string(l.currency.code)), ("description", .optional(l.description)),
            ("invoice", .string(invoice.id.rawValue)), ("invoice_item", .optional(l.invoiceItem?.rawValue)),
            ("livemode", .bool(false)),
            ("period", .object([("end", .int(l.periodEnd)), ("start", .int(l.periodStart))])),
            ("pretax_credit_amounts", .array(l.creditAmounts.map(credit))), ("price", .optional(l.price?.rawValue)),
            ("quantity", .optional(l.quantity.truncatedInt64)), ("quantity_decimal", .string(l.quantity.description)),
            ("subscription", .optional(invoice.subscription?.rawValue)),
            ("subscription_item", .optional(l.subscriptionItem?.rawValue)),
            ("type", .string(l.kind.rawValue)), ("meter", .optional(l.meter?.rawValue)),
        ])
    }

    static func invoice(_ i: Invoice) -> JSON {
        .object([
            ("id", .string(i.id.rawValue)), ("object", .string("invoice")),
            ("amount_due", .int(i.amountDue)), ("amount_paid", .int(i.amountPaid)),
            ("amount_remaining", .int(i.amountRemaining)), ("billing_reason", .string(i.billingReason.rawValue)),
            ("created", .int(i.created)), ("currency", .string(i.currency.code)),
            ("customer", .string(i.customer.rawValue)),
            ("description", .optional(i.description)), ("finalized_at", .optional(i.finalizedAt)),
            (
                "lines",
                .object([
                    ("object", .string("list")), ("data", .array(i.lines.map { invoiceLine($0, invoice: i) })),
                    ("has_more", .bool(false)),
                ])
            ),
            (
                "last_finalization_error",
                i.failure.map { f in
                    .object([
                        ("code", .string(f.code)), ("message", .string(f.message)),
                        ("type", .string("invalid_request_error")),
                    ])
                } ?? .null
            ),
            ("livemode", .bool(false)), ("metadata", .metadata(i.metadata)),
            (
                "next_finalization_attempt",
                i.status == .draft && i.failure?.failedAt == nil ? .optional(i.finalizesAt) : .null
            ),
            ("number", .optional(i.number)), ("paid_at", .optional(i.paidAt)),
            ("period_end", .int(i.periodEnd)), ("period_start", .int(i.periodStart)),
            ("status", .string(i.status.rawValue)),
            (
                "status_transitions",
                .object([
                    ("finalized_at", .optional(i.finalizedAt)),
                    ("marked_uncollectible_at", .optional(i.markedUncollectibleAt)),
                    ("paid_at", .optional(i.paidAt)), ("voided_at", .optional(i.voidedAt)),
                ])
            ),
            ("subscription", .optional(i.subscription?.rawValue)), ("subtotal", .int(i.subtotal)),
            ("total", .int(i.total)), ("total_pretax_credit_amounts", .array(i.creditAmounts.map(credit))),
            ("voided_at", .optional(i.voidedAt)),
        ])
    }

    static func credit(_ c: CreditAmount) -> JSON {
        .object([
            ("amount", .int(c.amount)), ("credit_balance_transaction", .optional(c.transaction)),
            ("credit_grant", .string(c.grant)), ("type", .string("credit_balance_transaction")),
        ])
    }

    static func invoiceItem(_ ii: InvoiceItem) -> JSON {
        .object([
            ("id", .string(ii.id.rawValue)), ("object", .string("invoiceitem")), ("amount", .int(ii.amount)),
            ("currency", .string(ii.currency.code)), ("customer", .string(ii.customer.rawValue)),
            ("date", .int(ii.created)), ("description", .optional(ii.description)),
            ("invoice", .optional(ii.invoice?.rawValue)), ("livemode", .bool(false)),
            ("metadata", .metadata(ii.metadata)),
            ("quantity", .optional(ii.quantity.truncatedInt64)), ("quantity_decimal", .string(ii.quantity.description)),
            ("subscription", .optional(ii.subscription?.rawValue)),
            ("unit_amount_decimal", .optional(ii.unitAmount?.description)),
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
