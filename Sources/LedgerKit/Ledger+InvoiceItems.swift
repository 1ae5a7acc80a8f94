extension Ledger {
    // MARK: Manual invoices and invoice items

    /// Creates a manual draft invoice; with `includePending`, the customer's pending items in
    /// its currency join it. Without `currency`: the one currency of the customer's pending items,
    /// else of its active subscriptions. It asks to be paid as `collection` says (`send_invoice`:
    /// due `days_until_due` days after now). With `autoAdvance` the billing run finalizes it an
    /// hour after now (`Limits.finalizationGraceSeconds`), as Stripe does; without, it waits for
    /// `finalizeInvoice`.
    /// - Throws: `resource_missing`, `invalid_currency`, `invalid_request` (no currency to use),
    ///   `invalid_time` (a due date after 9999).
    public func createInvoice(
        customer: Customer.ID, currency: Currency?, includePending: Bool, description: String?, id: Invoice.ID? = nil,
        metadata: [String: String] = [:], collection: Collection = .chargeAutomatically, autoAdvance: Bool = false
    ) throws -> Invoice {
        let now = try self.now
        try Text.validate(description, param: "description")
        try Metadata.validate(metadata)
        let invoiceID = try newID(id, prefix: Invoice.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "invoice", id: invoiceID, kind: "invoice")
            _ = try tx.customerSeq(customer)
            var chosen = currency
            if chosen == nil {
                // The pending items' currency, else the active subscriptions', when it is one.
                var known = try tx.pendingCurrencies(customer: customer)
                if known.isEmpty { known = try tx.subscriptionCurrencies(customer: customer) }
                if known.count == 1 { chosen = try Currency(code: known[0]) }
            }
            guard let chosen else {
                throw LedgerError.invalidRequest(
                    "name a currency (--currency, currency): the customer's pending items, else its active subscriptions, are in none or several",
                    param: "currency")
            }
            var lines: [InvoiceLine] = []
            if includePending {
                lines = try tx.pendingItems(
                    customer: customer, currency: chosen, subscription: nil, anySubscription: true
                )
                .map(InvoiceAssembly.line(for:))
            }
            var invoice = try InvoiceAssembly.draft(
                customer: customer, subscription: nil, reason: .manual, currency: chosen, period: (now, now),
                lines: lines,
                description: description, created: now,
                finalizesAt: autoAdvance ? now + Limits.finalizationGraceSeconds : nil, collection: collection,
                id: invoiceID)
            invoice.metadata = metadata
            try tx.insert(invoice)
            let created = try tx.fetchInvoice(invoice.id)
            try tx.appendFeed(.invoiceCreated, .invoice(created), at: now)
            return created
        }
    }

    /// Creates an invoice item: pending, or on a draft invoice of the same customer and currency.
    /// - Throws: `resource_missing`, `invalid_amount`, `invalid_quantity`, `amount_overflow`,
    ///   `currency_mismatch`, `invoice_not_editable`, `invalid_request`.
    public func createInvoiceItem(_ params: InvoiceItemParams) throws -> InvoiceItem {
        let now = try self.now
        try Text.validate(params.description, param: "description")
        try Metadata.validate(params.metadata)
        let amount: Int64
        var unitAmount: ExactDecimal?
        var quantity = ExactDecimal(1)
        switch params.amount {
        case .whole(let value):
            guard value >= 0 else { throw LedgerError(.invalidAmount, "amount cannot be negative", param: "amount") }
            amount = value
        case .unitTimesQuantity(let unit, let q):
            guard !unit.isNegative else {
                throw LedgerError(
                    .invalidAmount, "unit_amount_decimal cannot be negative", param: "unit_amount_decimal")
            }
            guard !q.isNegative else {
                throw LedgerError(.invalidQuantity, "quantity cannot be negative", param: "quantity")
            }
            amount = try ExactAmount.product(unit, q).roundedToMinorUnits()
            unitAmount = unit
            quantity = q
        }
        let id = try newID(params.id, prefix: InvoiceItem.idPrefix)
        return try write(at: now) { tx, now in
            try tx.requireAbsent(table: "invoiceItem", id: id, kind: "invoice item")
            _ = try tx.customerSeq(params.customer)
            if let subscription = params.subscription {
                let sub = try tx.fetchSubscription(subscription)
                guard sub.customer == params.customer else {
                    throw LedgerError.invalidRequest(
                        "subscription '\(subscription)' belongs to another customer", param: "subscription")
                }
            }
            let item = InvoiceItem(
                id: .init(id), customer: params.customer, currency: params.currency, amount: amount,
                unitAmount: unitAmount,
                quantity: quantity, description: params.description, subscription: params.subscription,
                invoice: params.invoice, metadata: params.metadata, created: now)
            if let invoiceID = params.invoice {
                let invoice = try tx.fetchInvoice(invoiceID)
                guard invoice.status == .draft else {
                    throw LedgerError(
                        .invoiceNotEditable,
                        "invoice '\(invoiceID)' is \(invoice.status.rawValue); only drafts can change", param: "invoice"
                    )
                }
                guard invoice.customer == params.customer else {
                    throw LedgerError.invalidRequest(
                        "invoice '\(invoiceID)' belongs to another customer", param: "invoice")
                }
                guard invoice.currency == params.currency else {
                    throw LedgerError.currencyMismatch(invoice.currency, params.currency)
                }
            }
            try tx.insert(item)
            if let invoiceID = params.invoice {
                try tx.insert(
                    InvoiceAssembly.line(for: item), invoice: invoiceID, position: try tx.lineCount(invoiceID),
                    customer: params.customer, customerSeq: try tx.customerSeq(params.customer))
                try tx.updateDraftTotals(invoiceID)
                try tx.appendFeed(.invoiceUpdated, .invoice(try tx.fetchInvoice(invoiceID)), at: now)
            }
            return item
        }
    }

    /// Invoice items, oldest first, optionally of one customer.
    public func invoiceItems(customer: Customer.ID? = nil) throws -> [InvoiceItem] {
        try store.read { tx in try tx.invoiceItems(customer: customer) }
    }
}
