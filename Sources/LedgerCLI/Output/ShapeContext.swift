import LedgerKit

/// What the shapes of invoices, lines and subscriptions need beyond the object itself, read once
/// per command: the prices they name (a line's product, a subscription item's embedded price), the
/// invoice items behind item lines (their unit amount), and the subscriptions of cancellations'
/// final invoices (which `billing_reason` Stripe gives them).
struct ShapeContext {
    var prices: [Price.ID: Price] = [:]
    var invoiceItems: [InvoiceItem.ID: InvoiceItem] = [:]
    var subscriptions: [Subscription.ID: Subscription] = [:]

    /// The context of `invoices`: every price, the invoice items of their lines, the subscriptions
    /// of their cancellations.
    static func load(_ ledger: Ledger, invoices: [Invoice]) throws -> ShapeContext {
        var context = ShapeContext()
        try context.addPrices(ledger)
        let customers = Set(invoices.filter { $0.lines.contains { $0.invoiceItem != nil } }.map(\.customer))
        for customer in customers {
            for item in try ledger.invoiceItems(customer: customer) { context.invoiceItems[item.id] = item }
        }
        for invoice in invoices where invoice.billingReason == .subscriptionCancel {
            if let id = invoice.subscription, context.subscriptions[id] == nil {
                context.subscriptions[id] = try ledger.subscription(id)
            }
        }
        return context
    }

    /// The context of subscriptions: every price.
    static func load(_ ledger: Ledger) throws -> ShapeContext {
        var context = ShapeContext()
        try context.addPrices(ledger)
        return context
    }

    private mutating func addPrices(_ ledger: Ledger) throws {
        for price in try ledger.prices() { prices[price.id] = price }
    }
}
