/// Invoices, their lines and invoice items: rows to values and back.
extension StorageTransaction {
    func fetchInvoice(_ id: Invoice.ID) throws -> Invoice {
        guard
            let row = try SQLRow.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM invoice WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("invoice", id.rawValue, param: "invoice") }
        return try invoice(row)
    }

    func invoice(_ row: SQLRow) throws -> Invoice {
        let id: String = row["id"]
        let lines = try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT l.*, m.id AS meterId FROM invoiceLine l LEFT JOIN meter m ON m.seq = l.meterSeq
                    WHERE l.invoiceId = ? ORDER BY l.position
                    """),
            arguments: [id])
        return try invoice(row, lines: lines, credits: true)
    }

    /// The drafts due to finalize at exactly `instant` and not failed, in finalization order
    /// (at most `limit`), each with its lines: two statements for the whole step.
    func draftsDue(at instant: Int64, limit: Int) throws -> [Invoice] {
        let due = """
            SELECT * FROM invoice WHERE status = 'draft' AND finalizesAt = ? AND failedAt IS NULL ORDER BY seq LIMIT ?
            """
        var lines: [String: [SQLRow]] = [:]
        let rows = try SQLRow.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT l.*, m.id AS meterId FROM invoiceLine l LEFT JOIN meter m ON m.seq = l.meterSeq
                    WHERE l.invoiceId IN (SELECT id FROM (\(due)) AS due) ORDER BY l.invoiceId, l.position
                    """),
            arguments: [instant, limit])
        while let line = try rows.next() { lines[line["invoiceId"], default: []].append(line.detached) }
        // A draft has no credit applications: they are booked at its finalization.
        return try SQLRow.fetchAll(db.cachedStatement(sql: due), arguments: [instant, limit]).map { row in
            try invoice(row, lines: lines[row["id"]] ?? [], credits: false)
        }
    }

    /// The invoice of `row` with its `lines` rows; `credits`: reads its credit applications.
    private func invoice(_ row: SQLRow, lines: [SQLRow], credits readCredits: Bool) throws -> Invoice {
        let id: String = row["id"]
        let currency = try Currency(code: row["currency"])
        var credits: [String: [CreditAmount]] = [:]
        if readCredits {
            for credit in try SQLRow.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT id, grantId, invoiceLineId, amount FROM creditBalanceTransaction WHERE invoiceId = ? AND kind = 'credits_applied' ORDER BY seq"
                ),
                arguments: [id])
            {
                credits[credit["invoiceLineId"], default: []].append(
                    CreditAmount(amount: credit["amount"], transaction: credit["id"], grant: credit["grantId"]))
            }
        }
        var lines = try lines.map { line in
            InvoiceLine(
                id: .init(line["id"]), kind: try stored(InvoiceLine.Kind(rawValue: line["type"]), "type"),
                price: (line["priceId"] as String?).map { .init($0) },
                subscriptionItem: (line["subscriptionItemId"] as String?).map { .init($0) },
                invoiceItem: (line["invoiceItemId"] as String?).map { .init($0) },
                meter: (line["meterId"] as String?).map { .init($0) }, description: line["description"],
                quantity: try stored(ExactDecimal(parsing: line["quantityDecimal"] as String), "quantityDecimal"),
                amount: line["amount"],
                currency: currency, periodStart: line["periodStart"], periodEnd: line["periodEnd"])
        }
        for index in lines.indices {
            lines[index].creditAmounts = credits[lines[index].id.rawValue] ?? []
        }
        var invoice = Invoice(
            id: .init(id), customer: .init(row["customerId"]), currency: currency, periodStart: row["periodStart"],
            periodEnd: row["periodEnd"], created: row["created"],
            subscription: (row["subscriptionId"] as String?).map { .init($0) },
            billingReason: try stored(Invoice.BillingReason(rawValue: row["billingReason"]), "billingReason"),
            lines: lines, description: row["description"], finalizesAt: row["finalizesAt"],
            metadata: try MetadataJSON.decode(row["metadata"]))
        invoice.status = try stored(Invoice.Status(rawValue: row["status"]), "status")
        invoice.number = row["number"]
        invoice.subtotal = row["subtotal"]
        invoice.total = row["total"]
        invoice.amountDue = row["amountDue"]
        invoice.amountPaid = row["amountPaid"]
        invoice.amountRemaining = row["amountRemaining"]
        invoice.finalizedAt = row["finalizedAt"]
        invoice.paidAt = row["paidAt"]
        invoice.voidedAt = row["voidedAt"]
        invoice.markedUncollectibleAt = row["markedUncollectibleAt"]
        invoice.collectionMethod = try stored(
            Collection.Method(rawValue: row["collectionMethod"]), "collectionMethod")
        invoice.dueDate = row["dueDate"]
        invoice.autoAdvance = row["autoAdvance"]
        if let code: String = row["failureCode"] {
            invoice.failure = Invoice.Failure(code: code, message: row["failureMessage"], failedAt: row["failedAt"])
        }
        return invoice
    }

    func fetchInvoiceItem(_ id: InvoiceItem.ID) throws -> InvoiceItem {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM invoiceItem WHERE id = ?", arguments: [id.rawValue])
        else { throw LedgerError.missing("invoice item", id.rawValue, param: "invoice_item") }
        return try invoiceItem(row)
    }

    func invoiceItem(_ row: SQLRow) throws -> InvoiceItem {
        InvoiceItem(
            id: .init(row["id"]), customer: .init(row["customerId"]), currency: try Currency(code: row["currency"]),
            amount: row["amount"],
            unitAmount: (row["unitAmountDecimal"] as String?).flatMap(ExactDecimal.init(parsing:)),
            quantity: try stored(ExactDecimal(parsing: row["quantityDecimal"] as String), "quantityDecimal"),
            description: row["description"],
            subscription: (row["subscriptionId"] as String?).map { .init($0) },
            invoice: (row["invoiceId"] as String?).map { .init($0) },
            metadata: try MetadataJSON.decode(row["metadata"]), created: row["created"])
    }

    /// Inserts a new invoice with its lines (totals computed from the lines).
    func insert(_ invoice: Invoice) throws {
        var cache: [Price.ID: PriceInfo] = [:]
        try insert(invoice, cache: &cache)
    }

    func insert(_ invoice: Invoice, cache: inout [Price.ID: PriceInfo]) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO invoice (id, customerId, subscriptionId, billingReason, status, number, currency,
                    periodStart, periodEnd, description, subtotal, total, amountDue, amountPaid, amountRemaining,
                    finalizesAt, metadata, created, failureCode, failureMessage, failedAt, collectionMethod, dueDate,
                    autoAdvance)
                VALUES (?, ?, ?, ?, 'draft', NULL, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                invoice.id.rawValue, invoice.customer.rawValue, invoice.subscription?.rawValue,
                invoice.billingReason.rawValue, invoice.currency.code, invoice.periodStart, invoice.periodEnd,
                invoice.description, invoice.subtotal, invoice.total, invoice.amountDue, invoice.amountRemaining,
                invoice.finalizesAt, MetadataJSON.encode(invoice.metadata), invoice.created, invoice.failure?.code,
                invoice.failure?.message, invoice.failure?.failedAt, invoice.collectionMethod.rawValue,
                invoice.dueDate, invoice.autoAdvance,
            ])
        let customerSeq = try customerSeq(invoice.customer)
        for (position, line) in invoice.lines.enumerated() {
            let meterSeq =
                try line.meter == nil ? nil : line.price.flatMap { try priceInfo($0, cache: &cache).meterSeq }
            try insert(
                line, invoice: invoice.id, position: position, customer: invoice.customer, customerSeq: customerSeq,
                meterSeq: meterSeq)
        }
        for line in invoice.lines {
            if let item = line.invoiceItem {
                try db.cachedStatement(sql: "UPDATE invoiceItem SET invoiceId = ? WHERE id = ?")
                    .execute(arguments: [invoice.id.rawValue, item.rawValue])
            }
        }
    }

    /// Inserts one line; a metered line names its meter's and customer's compact keys.
    func insert(
        _ line: InvoiceLine, invoice: Invoice.ID, position: Int, customer: Customer.ID,
        customerSeq invoiceCustomer: Int64, meterSeq: Int64? = nil
    ) throws {
        var meterSeq = meterSeq
        var customerSeq: Int64?
        if let meter = line.meter {
            if meterSeq == nil {
                meterSeq = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT seq FROM meter WHERE id = ?"), arguments: [meter.rawValue])
            }
            customerSeq = invoiceCustomer
        }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO invoiceLine (id, invoiceId, position, type, priceId, subscriptionItemId, invoiceItemId,
                    meterSeq, customerSeq, description, quantityDecimal, amount, currency, periodStart, periodEnd,
                    customerId)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        _ = try statement.run {
            $0.bind(1, line.id.rawValue)
            $0.bind(2, invoice.rawValue)
            $0.bind(3, Int64(position))
            $0.bind(4, line.kind.rawValue)
            $0.bind(5, line.price?.rawValue)
            $0.bind(6, line.subscriptionItem?.rawValue)
            $0.bind(7, line.invoiceItem?.rawValue)
            $0.bind(8, meterSeq)
            $0.bind(9, customerSeq)
            $0.bind(10, line.description)
            $0.bind(11, line.quantity.description)
            $0.bind(12, line.amount)
            $0.bind(13, line.currency.code)
            $0.bind(14, line.periodStart)
            $0.bind(15, line.periodEnd)
            $0.bind(16, customer.rawValue)
        }
    }

    /// Rewrites a draft's totals from its lines.
    func updateDraftTotals(_ id: Invoice.ID) throws {
        let amounts = try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT amount FROM invoiceLine WHERE invoiceId = ?"), arguments: [id.rawValue])
        let subtotal = try MinorUnits.sum(amounts)
        try db.cachedStatement(
            sql:
                "UPDATE invoice SET subtotal = ?, total = ?, amountDue = ?, amountRemaining = ? WHERE id = ? AND status = 'draft'"
        ).execute(arguments: [subtotal, subtotal, max(subtotal, 0), max(subtotal, 0), id.rawValue])
    }

    // MARK: Invoice items

    func insert(_ item: InvoiceItem) throws {
        try db.execute(
            sql: """
                INSERT INTO invoiceItem (id, customerId, currency, amount, unitAmountDecimal, quantityDecimal, description,
                    subscriptionId, invoiceId, metadata, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                item.id.rawValue, item.customer.rawValue, item.currency.code, item.amount, item.unitAmount?.description,
                item.quantity.description, item.description, item.subscription?.rawValue, item.invoice?.rawValue,
                MetadataJSON.encode(item.metadata), item.created,
            ])
    }

    /// The customer's pending items in `currency`, oldest first: those of `subscription` and
    /// those of none (every subscription's when `subscription` is nil and `anySubscription`).
    func pendingItems(customer: Customer.ID, currency: Currency, subscription: Subscription.ID?, anySubscription: Bool)
        throws -> [InvoiceItem]
    {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM invoiceItem WHERE customerId = ? AND currency = ? AND invoiceId IS NULL
                        AND (? OR subscriptionId IS NULL OR subscriptionId IS ?)
                    ORDER BY seq
                    """),
            arguments: [customer.rawValue, currency.code, anySubscription, subscription?.rawValue]
        ).map(invoiceItem)
    }

    /// The currencies of the customer's pending items.
    func pendingCurrencies(customer: Customer.ID) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT currency FROM invoiceItem WHERE customerId = ? AND invoiceId IS NULL",
            arguments: [customer.rawValue])
    }

    /// The currencies of the customer's active subscriptions.
    func subscriptionCurrencies(customer: Customer.ID) throws -> [String] {
        try String.fetchAll(
            db, sql: "SELECT DISTINCT currency FROM subscription WHERE customerId = ? AND status = 'active'",
            arguments: [customer.rawValue])
    }

    /// Invoice items, oldest first, optionally of one customer.
    func invoiceItems(customer: Customer.ID?) throws -> [InvoiceItem] {
        try SQLRow.fetchAll(
            db, sql: "SELECT * FROM invoiceItem WHERE customerId IS ? OR ? ORDER BY seq",
            arguments: [customer?.rawValue, customer == nil]
        ).map(invoiceItem)
    }

    // MARK: Invoices

    func lineCount(_ invoice: Invoice.ID) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM invoiceLine WHERE invoiceId = ?", arguments: [invoice.rawValue])
            ?? 0
    }

    /// Invoices, oldest first, filtered by customer, status and subscription when given.
    func invoices(customer: Customer.ID?, status: Invoice.Status?, subscription: Subscription.ID?) throws -> [Invoice] {
        try SQLRow.fetchAll(
            db,
            sql: """
                SELECT * FROM invoice WHERE (customerId IS ? OR ?) AND (status IS ? OR ?) AND (subscriptionId IS ? OR ?)
                ORDER BY created, seq
                """,
            arguments: [
                customer?.rawValue, customer == nil, status?.rawValue, status == nil, subscription?.rawValue,
                subscription == nil,
            ]
        ).map(invoice)
    }

    /// The customer's subscription drafts in finalization order.
    func subscriptionDrafts(customer: Customer.ID) throws -> [Invoice] {
        try SQLRow.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT * FROM invoice WHERE customerId = ? AND status = 'draft' AND subscriptionId IS NOT NULL
                    ORDER BY finalizesAt, seq
                    """),
            arguments: [customer.rawValue]
        ).map(invoice)
    }

    /// A metered line recounted at finalization.
    func updateUsage(of line: InvoiceLine.ID, quantity: ExactDecimal, amount: Int64) throws {
        try db.cachedStatement(sql: "UPDATE invoiceLine SET quantityDecimal = ?, amount = ? WHERE id = ?")
            .execute(arguments: [quantity.description, amount, line.rawValue])
    }

    /// The number the next finalization takes (read only; `takeInvoiceNumber` takes it).
    func nextInvoiceNumber() throws -> Int64 {
        try stored(
            Int64.fetchOne(db.cachedStatement(sql: "SELECT next FROM invoiceCounter WHERE name = 'invoice'")),
            "invoice counter")
    }

    /// The next invoice number's counter, taken inside this transaction: gapless, never reused.
    func takeInvoiceNumber() throws -> Int64 {
        try stored(
            Int64.fetchOne(
                db.cachedStatement(
                    sql: "UPDATE invoiceCounter SET next = next + 1 WHERE name = 'invoice' RETURNING next")),
            "invoice counter") - 1
    }

    /// Freezes a finalized invoice: status, number, totals and instants (its failure cleared).
    func saveFinalized(_ invoice: Invoice) throws {
        try db.cachedStatement(
            sql: """
                UPDATE invoice SET status = ?, number = ?, subtotal = ?, total = ?, amountDue = ?, amountPaid = ?,
                    amountRemaining = ?, finalizedAt = ?, paidAt = ?, failureCode = NULL, failureMessage = NULL,
                    failedAt = NULL WHERE id = ?
                """
        ).execute(arguments: [
            invoice.status.rawValue, invoice.number, invoice.subtotal, invoice.total, invoice.amountDue,
            invoice.amountPaid, invoice.amountRemaining, invoice.finalizedAt, invoice.paidAt, invoice.id.rawValue,
        ])
    }

    func markPaid(_ id: Invoice.ID, at instant: Int64) throws {
        try db.execute(
            sql:
                "UPDATE invoice SET status = 'paid', amountPaid = amountPaid + amountRemaining, amountRemaining = 0, paidAt = ? WHERE id = ?",
            arguments: [instant, id.rawValue])
    }

    func markUncollectible(_ id: Invoice.ID, at instant: Int64) throws {
        try db.execute(
            sql: "UPDATE invoice SET status = 'uncollectible', markedUncollectibleAt = ? WHERE id = ?",
            arguments: [instant, id.rawValue])
    }

    func markVoided(_ id: Invoice.ID, at instant: Int64) throws {
        try db.execute(
            sql: "UPDATE invoice SET status = 'void', voidedAt = ? WHERE id = ?", arguments: [instant, id.rawValue])
    }

    /// Deletes a draft and its lines; its invoice items become pending again.
    func deleteDraft(_ id: Invoice.ID) throws {
        try db.execute(sql: "DELETE FROM invoiceLine WHERE invoiceId = ?", arguments: [id.rawValue])
        try db.execute(sql: "UPDATE invoiceItem SET invoiceId = NULL WHERE invoiceId = ?", arguments: [id.rawValue])
        try db.execute(sql: "DELETE FROM invoice WHERE id = ?", arguments: [id.rawValue])
    }

    /// Leaves a draft unfinalized with the reason its finalization at `instant` failed.
    func markFailed(_ id: Invoice.ID, _ error: LedgerError, at instant: Int64) throws {
        try db.cachedStatement(
            sql:
                "UPDATE invoice SET failureCode = ?, failureMessage = ?, failedAt = ? WHERE id = ? AND status = 'draft'"
        ).execute(arguments: [error.code.rawValue, error.message, instant, id.rawValue])
    }
}
