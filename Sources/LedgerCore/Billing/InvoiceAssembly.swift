/// How an invoice is put together from what it bills (SPEC §2.4, §2.5), as pure functions: a
/// subscription item's line for a period, an invoice item's line, and a draft over its lines.
public enum InvoiceAssembly {
    /// The line of a subscription item for `[start, end)`: `quantity` priced by the item's price.
    /// A metered line is described "<product> (usage)", a licensed one "<quantity> × <product>".
    /// - Parameter placeholderOnOverflow: a line whose amount does not fit is billed 0 instead of
    ///   failing (the draft of a failed period; finalization recomputes it and fails visibly).
    /// - Throws: `amount_overflow` (unless a placeholder), `invalid_quantity`.
    public static func subscriptionLine(
        item: SubscriptionItem, price: Price, productName: String, quantity: ExactDecimal, currency: Currency,
        start: Int64, end: Int64, placeholderOnOverflow: Bool = false
    ) throws -> InvoiceLine {
        let amount: Int64
        do {
            amount = try Pricing.quote(price.scheme, quantity: quantity).amount
        } catch let error as LedgerError where error.code == .amountOverflow && placeholderOnOverflow {
            amount = 0
        }
        let metered = price.recurring?.usageType == .metered
        return InvoiceLine(
            id: .init(IDs.generate(prefix: InvoiceLine.idPrefix)), kind: .subscription, price: price.id,
            subscriptionItem: item.id, invoiceItem: nil, meter: price.recurring?.meter,
            description: metered ? "\(productName) (usage)" : "\(quantity) × \(productName)", quantity: quantity,
            amount: amount, currency: currency, periodStart: start, periodEnd: end)
    }

    /// The line of a one-off invoice item: its amount, at the instant it was created.
    public static func line(for item: InvoiceItem) -> InvoiceLine {
        InvoiceLine(
            id: .init(IDs.generate(prefix: InvoiceLine.idPrefix)), kind: .invoiceItem, price: nil,
            subscriptionItem: nil, invoiceItem: item.id, meter: nil, description: item.description,
            quantity: item.quantity, amount: item.amount, currency: item.currency, periodStart: item.created,
            periodEnd: item.created)
    }

    /// A new draft over `lines`, its totals their sum (`subtotalOverride` when the sum itself
    /// cannot be shown: a failed draft). It asks to be paid as `collection` says, due that many
    /// days after `created`; it advances on its own when it has a finalization scheduled.
    /// - Throws: `amount_overflow` when the lines' sum does not fit; `invalid_time` when the due
    ///   date would fall after 9999.
    public static func draft(
        customer: Customer.ID, subscription: Subscription.ID?, reason: Invoice.BillingReason, currency: Currency,
        period: (Int64, Int64), lines: [InvoiceLine], description: String?, created: Int64, finalizesAt: Int64?,
        collection: Collection, id: String? = nil, subtotalOverride: Int64? = nil
    ) throws -> Invoice {
        let subtotal = try subtotalOverride ?? MinorUnits.sum(lines.map(\.amount))
        var invoice = Invoice(
            id: .init(id ?? IDs.generate(prefix: Invoice.idPrefix)), customer: customer, currency: currency,
            periodStart: period.0, periodEnd: period.1, created: created, subscription: subscription,
            billingReason: reason, lines: lines, subtotal: subtotal, description: description,
            finalizesAt: finalizesAt)
        invoice.collectionMethod = collection.method
        invoice.dueDate = try collection.dueDate(created: created)
        invoice.autoAdvance = finalizesAt != nil
        return invoice
    }
}
