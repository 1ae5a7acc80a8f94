import LedgerKit

/// Invoices and their lines in the current Stripe API's shape (`parent`, `pricing`,
/// `status_transitions`); the keys are checked against Stripe's in StripeShapeTests.
extension Shape {
    static func invoice(_ i: Invoice, _ context: ShapeContext, preview: Bool = false) -> JSON {
        let finalized = i.status != .draft
        return .object([
            ("id", .string(i.id.rawValue)), ("object", .string("invoice")),
            ("amount_due", .int(i.amountDue)), ("amount_paid", .int(i.amountPaid)),
            ("amount_remaining", .int(i.amountRemaining)), ("auto_advance", .bool(i.autoAdvance)),
            (
                "automatically_finalizes_at",
                i.status == .draft && i.failure?.failedAt == nil && !preview ? .optional(i.finalizesAt) : .null
            ),
            ("billing_reason", .string(preview ? "upcoming" : billingReason(i, context))),
            ("collection_method", .string(i.collectionMethod.rawValue)),
            ("created", .int(i.created)), ("currency", .string(i.currency.code)),
            ("customer", .string(i.customer.rawValue)), ("description", .optional(i.description)),
            ("due_date", .optional(i.dueDate)),
            // No customer balance is kept: an invoice starts and ends at 0 (null until finalized).
            ("ending_balance", finalized ? .int(0) : .null),
            (
                "last_finalization_error",
                i.failure.map { f in
                    .object([
                        ("code", .string(f.code)), ("message", .string(f.message)),
                        ("type", .string("invalid_request_error")),
                    ])
                } ?? .null
            ),
            ("lines", .list(i.lines.map { invoiceLine($0, invoice: i, context) })),
            ("livemode", .bool(false)), ("metadata", .metadata(i.metadata)), ("number", .optional(i.number)),
            (
                "parent",
                i.subscription.map { subscription in
                    .object([
                        ("quote_details", .null),
                        (
                            "subscription_details",
                            .object([
                                ("metadata", .null), ("subscription", .string(subscription.rawValue)),
                                ("subscription_proration_date", .null),
                            ])
                        ),
                        ("type", .string("subscription_details")),
                    ])
                } ?? .null
            ),
            ("period_end", .int(i.periodEnd)), ("period_start", .int(i.periodStart)),
            ("starting_balance", .int(0)), ("status", .string(i.status.rawValue)),
            (
                "status_transitions",
                .object([
                    ("finalized_at", .optional(i.finalizedAt)),
                    ("marked_uncollectible_at", .optional(i.markedUncollectibleAt)),
                    ("paid_at", .optional(i.paidAt)), ("voided_at", .optional(i.voidedAt)),
                ])
            ),
            ("subtotal", .int(i.subtotal)), ("subtotal_excluding_tax", .int(i.subtotal)),
            ("total", .int(i.total)), ("total_excluding_tax", .int(i.total)),
            ("total_pretax_credit_amounts", .array(i.creditAmounts.map(credit))),
        ])
    }

    /// Stripe's `billing_reason`. A cancellation's final invoice (stored as `subscription_cancel`)
    /// is `subscription_cycle` when it closes a whole period (cancelled at the period's end) and
    /// `subscription_update` when the cancellation cut the period short.
    static func billingReason(_ i: Invoice, _ context: ShapeContext) -> String {
        guard i.billingReason == .subscriptionCancel else { return i.billingReason.rawValue }
        guard let id = i.subscription, let sub = context.subscriptions[id],
            let end = try? sub.cycle.boundary(after: i.periodStart), end == i.periodEnd
        else { return "subscription_update" }
        return Invoice.BillingReason.subscriptionCycle.rawValue
    }

    static func invoiceLine(_ l: InvoiceLine, invoice: Invoice, _ context: ShapeContext) -> JSON {
        let price = l.price.flatMap { context.prices[$0] }
        let item = l.invoiceItem.flatMap { context.invoiceItems[$0] }
        let noProration: [(String, JSON)] = [
            ("proration", .bool(false)), ("proration_details", .object([("credited_items", .null)])),
        ]
        let parent: JSON
        switch l.kind {
        case .subscription:
            parent = .object([
                ("invoice_item_details", .null),
                (
                    "subscription_item_details",
                    .object(
                        [("invoice_item", .null)] + noProration + [
                            ("subscription", .optional(invoice.subscription?.rawValue)),
                            ("subscription_item", .optional(l.subscriptionItem?.rawValue)),
                        ])
                ),
                ("type", .string("subscription_item_details")),
            ])
        case .invoiceItem:
            parent = .object([
                (
                    "invoice_item_details",
                    .object(
                        [("invoice_item", .optional(l.invoiceItem?.rawValue))] + noProration + [
                            ("subscription", .optional(item?.subscription?.rawValue))
                        ])
                ),
                ("subscription_item_details", .null), ("type", .string("invoice_item_details")),
            ])
        }
        let unitAmount = item?.unitAmount ?? price.flatMap(perUnitAmount)
        return .object([
            ("id", .string(l.id.rawValue)), ("object", .string("line_item")), ("amount", .int(l.amount)),
            ("currency", .string(l.currency.code)), ("description", .optional(l.description)),
            ("invoice", .string(invoice.id.rawValue)), ("livemode", .bool(false)), ("metadata", .object([])),
            ("parent", parent),
            ("period", .object([("end", .int(l.periodEnd)), ("start", .int(l.periodStart))])),
            ("pretax_credit_amounts", .array(l.creditAmounts.map(credit))),
            ("pricing", pricing(price, unitAmount: unitAmount)),
            ("quantity", .optional(l.quantity.truncatedInt64)), ("quantity_decimal", .string(l.quantity.description)),
            ("subscription", .optional(invoice.subscription?.rawValue)), ("subtotal", .int(l.amount)),
            ("meter", .optional(l.meter?.rawValue)),
        ])
    }

    /// Stripe's `pricing`: the price and its product, and the unit amount when one applies
    /// (a per-unit price's, an invoice item's; null for tiers).
    static func pricing(_ price: Price?, unitAmount: ExactDecimal?) -> JSON {
        .object([
            (
                "price_details",
                price.map { p in
                    .object([("price", .string(p.id.rawValue)), ("product", .string(p.product.rawValue))])
                } ?? .null
            ),
            ("type", .string("price_details")), ("unit_amount_decimal", .optional(unitAmount?.description)),
        ])
    }

    static func perUnitAmount(_ price: Price) -> ExactDecimal? {
        guard case .perUnit(let amount, _) = price.scheme else { return nil }
        return amount
    }

    static func credit(_ c: CreditAmount) -> JSON {
        .object([
            ("amount", .int(c.amount)), ("credit_balance_transaction", .optional(c.transaction)),
            ("credit_grant", .string(c.grant)), ("type", .string("credit_balance_transaction")),
        ])
    }
}
