import GRDB

/// Loading and saving subscriptions and invoices; shared by the billing operations.
extension Ledger {
    static func fetchSubscription(_ db: Database, _ id: Subscription.ID) throws -> Subscription {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM subscription WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("subscription", id.rawValue, param: "subscription") }
        return try subscription(db, row)
    }

    static func subscription(_ db: Database, _ row: Row) throws -> Subscription {
        let id: String = row["id"]
        let items = try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT id, priceId, quantity FROM subscriptionItem WHERE subscriptionId = ? ORDER BY position"),
            arguments: [id]
        ).map { SubscriptionItem(id: .init($0["id"]), price: .init($0["priceId"]), quantity: $0["quantity"]) }
        return Subscription(
            id: .init(id), customer: .init(row["customerId"]), status: .init(rawValue: row["status"])!,
            billingMode: .init(rawValue: row["billingMode"])!, currency: try Currency(code: row["currency"]),
            interval: .init(rawValue: row["interval"])!, intervalCount: row["intervalCount"],
            startDate: row["startDate"], billingCycleAnchor: row["billingCycleAnchor"],
            currentPeriodStart: row["currentPeriodStart"], currentPeriodEnd: row["currentPeriodEnd"],
            graceSeconds: row["graceSeconds"], cancelAtPeriodEnd: row["cancelAtPeriodEnd"],
            canceledAt: row["canceledAt"], endedAt: row["endedAt"], items: items,
            metadata: MetadataJSON.decode(row["metadata"]), created: row["created"])
    }

    static func fetchInvoice(_ db: Database, _ id: Invoice.ID) throws -> Invoice {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM invoice WHERE id = ?"), arguments: [id.rawValue])
        else { throw LedgerError.missing("invoice", id.rawValue, param: "invoice") }
        return try invoice(db, row)
    }

    static func invoice(_ db: Database, _ row: Row) throws -> Invoice {
        let id: String = row["id"]
        let currency = try Currency(code: row["currency"])
        var credits: [String: [CreditAmount]] = [:]
        for credit in try Row.fetchAll(
            db.cachedStatement(
                sql:
                    "SELECT id, grantId, invoiceLineId, amount FROM creditBalanceTransaction WHERE invoiceId = ? AND kind = 'credits_applied' ORDER BY seq"
            ),
            arguments: [id])
        {
            credits[credit["invoiceLineId"], default: []].append(
                CreditAmount(amount: credit["amount"], transaction: credit["id"], grant: credit["grantId"]))
        }
        var lines = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT l.*, m.id AS meterId FROM invoiceLine l LEFT JOIN meter m ON m.seq = l.meterSeq
                    WHERE l.invoiceId = ? ORDER BY l.position
                    """),
            arguments: [id]
        ).map { line in
            InvoiceLine(
                id: .init(line["id"]), kind: .init(rawValue: line["type"])!,
                price: (line["priceId"] as String?).map { .init($0) },
                subscriptionItem: (line["subscriptionItemId"] as String?).map { .init($0) },
                invoiceItem: (line["invoiceItemId"] as String?).map { .init($0) },
                meter: (line["meterId"] as String?).map { .init($0) }, description: line["description"],
                quantity: ExactDecimal(parsing: line["quantityDecimal"] as String)!, amount: line["amount"],
                currency: currency, periodStart: line["periodStart"], periodEnd: line["periodEnd"])
        }
        for index in lines.indices {
            lines[index].creditAmounts = credits[lines[index].id.rawValue] ?? []
        }
        var invoice = Invoice(
            id: .init(id), customer: .init(row["customerId"]),
            subscription: (row["subscriptionId"] as String?).map { .init($0) },
            billingReason: .init(rawValue: row["billingReason"])!, status: .init(rawValue: row["status"])!,
            number: row["number"], currency: currency, periodStart: row["periodStart"],
            periodEnd: row["periodEnd"], description: row["description"], lines: lines,
            subtotal: row["subtotal"], total: row["total"], amountDue: row["amountDue"],
            amountPaid: row["amountPaid"], amountRemaining: row["amountRemaining"],
            finalizesAt: row["finalizesAt"], finalizedAt: row["finalizedAt"], paidAt: row["paidAt"],
            voidedAt: row["voidedAt"], markedUncollectibleAt: row["markedUncollectibleAt"],
            metadata: MetadataJSON.decode(row["metadata"]), created: row["created"])
        if let code: String = row["failureCode"] {
            invoice.failure = Invoice.Failure(code: code, message: row["failureMessage"], failedAt: row["failedAt"])
        }
        return invoice
    }

    static func fetchInvoiceItem(_ db: Database, _ id: InvoiceItem.ID) throws -> InvoiceItem {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM invoiceItem WHERE id = ?", arguments: [id.rawValue])
        else { throw LedgerError.missing("invoice item", id.rawValue, param: "invoice_item") }
        return try invoiceItem(row)
    }

    static func invoiceItem(_ row: Row) throws -> InvoiceItem {
        InvoiceItem(
            id: .init(row["id"]), customer: .init(row["customerId"]), currency: try Currency(code: row["currency"]),
            amount: row["amount"],
            unitAmount: (row["unitAmountDecimal"] as String?).flatMap(ExactDecimal.init(parsing:)),
            quantity: ExactDecimal(parsing: row["quantityDecimal"] as String)!, description: row["description"],
            subscription: (row["subscriptionId"] as String?).map { .init($0) },
            invoice: (row["invoiceId"] as String?).map { .init($0) },
            metadata: MetadataJSON.decode(row["metadata"]), created: row["created"])
    }

    /// Inserts a new invoice with its lines (totals computed from the lines).
    static func insert(_ invoice: Invoice, _ db: Database) throws {
        var cache: [Price.ID: PriceInfo] = [:]
        try insert(invoice, db, cache: &cache)
    }

    static func insert(_ invoice: Invoice, _ db: Database, cache: inout [Price.ID: PriceInfo]) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO invoice (id, customerId, subscriptionId, billingReason, status, number, currency,
                    periodStart, periodEnd, description, subtotal, total, amountDue, amountPaid, amountRemaining,
                    finalizesAt, metadata, created, failureCode, failureMessage, failedAt)
                VALUES (?, ?, ?, ?, 'draft', NULL, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                invoice.id.rawValue, invoice.customer.rawValue, invoice.subscription?.rawValue,
                invoice.billingReason.rawValue, invoice.currency.code, invoice.periodStart, invoice.periodEnd,
                invoice.description, invoice.subtotal, invoice.total, invoice.amountDue, invoice.amountRemaining,
                invoice.finalizesAt, MetadataJSON.encode(invoice.metadata), invoice.created, invoice.failure?.code,
                invoice.failure?.message, invoice.failure?.failedAt,
            ])
        let customerSeq = try customerSeq(db, invoice.customer)
        for (position, line) in invoice.lines.enumerated() {
            let meterSeq =
                try line.meter == nil ? nil : line.price.flatMap { try priceInfo(db, $0, cache: &cache).meterSeq }
            try insert(line, invoice: invoice.id, position: position, customerSeq: customerSeq, meterSeq: meterSeq, db)
        }
        for line in invoice.lines {
            if let item = line.invoiceItem {
                try db.cachedStatement(sql: "UPDATE invoiceItem SET invoiceId = ? WHERE id = ?")
                    .execute(arguments: [invoice.id.rawValue, item.rawValue])
            }
        }
    }

    /// Inserts one line; a metered line names its meter's and customer's compact keys.
    static func insert(
        _ line: InvoiceLine, invoice: Invoice.ID, position: Int, customerSeq invoiceCustomer: Int64,
        meterSeq: Int64? = nil, _ db: Database
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
        try db.cachedStatement(
            sql: """
                INSERT INTO invoiceLine (id, invoiceId, position, type, priceId, subscriptionItemId, invoiceItemId,
                    meterSeq, customerSeq, description, quantityDecimal, amount, currency, periodStart, periodEnd)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            line.id.rawValue, invoice.rawValue, position, line.kind.rawValue, line.price?.rawValue,
            line.subscriptionItem?.rawValue, line.invoiceItem?.rawValue, meterSeq, customerSeq, line.description,
            line.quantity.description, line.amount, line.currency.code, line.periodStart, line.periodEnd,
        ])
    }

    /// Rewrites a draft's totals from its lines.
    static func updateDraftTotals(_ id: Invoice.ID, _ db: Database) throws {
        let amounts = try Int64.fetchAll(
            db.cachedStatement(sql: "SELECT amount FROM invoiceLine WHERE invoiceId = ?"), arguments: [id.rawValue])
        let subtotal = try MinorUnits.sum(amounts)
        try db.cachedStatement(
            sql:
                "UPDATE invoice SET subtotal = ?, total = ?, amountDue = ?, amountRemaining = ? WHERE id = ? AND status = 'draft'"
        ).execute(arguments: [subtotal, subtotal, max(subtotal, 0), max(subtotal, 0), id.rawValue])
    }
}
