import GRDB

extension Ledger {
    // MARK: Finalization

    /// Finalizes a draft at `instant` (SPEC §2.5), inside the caller's transaction: recomputes
    /// metered lines from the events recorded by then, assigns the next gapless number, posts the
    /// journal, and freezes the invoice. Nothing due → `paid` at once.
    static func finalize(_ id: Invoice.ID, at instant: Int64, _ db: Database) throws -> Invoice {
        var cache: [Price.ID: PriceInfo] = [:]
        return try finalize(id, at: instant, db, cache: &cache)
    }

    static func finalize(
        _ id: Invoice.ID, at instant: Int64, _ db: Database, cache: inout [Price.ID: PriceInfo]
    ) throws -> Invoice {
        var invoice = try fetchInvoice(db, id)
        try InvoiceLifecycle.check(.finalize, from: invoice.status, invoice: id.rawValue)
        let customerSeq = try customerSeq(db, invoice.customer)
        // Metered lines bill in arrears: recount now. (The classic first invoice's metered lines
        // are zero placeholders for a period not yet used.)
        if invoice.billingReason != .subscriptionCreate {
            for index in invoice.lines.indices where invoice.lines[index].meter != nil {
                let line = invoice.lines[index]
                let info = try priceInfo(db, line.price!, cache: &cache)
                let quantity = try meteredQuantity(
                    db, customerSeq: customerSeq, info: info, start: line.periodStart, end: line.periodEnd,
                    asOf: instant)
                let amount = try Pricing.quote(info.price.scheme, quantity: quantity).amount
                invoice.lines[index].quantity = quantity
                invoice.lines[index].amount = amount
                try db.cachedStatement(sql: "UPDATE invoiceLine SET quantityDecimal = ?, amount = ? WHERE id = ?")
                    .execute(arguments: [quantity.description, amount, line.id.rawValue])
            }
        }
        // Credit grants apply here, in burn order, before the totals are frozen.
        invoice = try applyCredits(db, invoice, at: instant, now: instant, cache: &cache)
        let subtotal = try MinorUnits.sum(invoice.lines.map(\.amount))
        let credits = try MinorUnits.sum(invoice.creditAmounts.map(\.amount))
        invoice.subtotal = subtotal
        invoice.total = subtotal - credits
        invoice.amountDue = max(invoice.total, 0)
        invoice.amountPaid = 0
        invoice.amountRemaining = invoice.amountDue
        // The next number, taken inside this transaction: gapless, never reused.
        let next = try Int64.fetchOne(
            db.cachedStatement(sql: "UPDATE invoiceCounter SET next = next + 1 WHERE name = 'invoice' RETURNING next"))!
        let counter = next - 1
        invoice.number = Invoice.number(counter)
        invoice.finalizedAt = instant
        invoice.status = invoice.amountDue == 0 ? .paid : .open
        invoice.failure = nil
        invoice.paidAt = invoice.status == .paid ? instant : nil
        try db.cachedStatement(
            sql: """
                UPDATE invoice SET status = ?, number = ?, subtotal = ?, total = ?, amountDue = ?, amountPaid = ?,
                    amountRemaining = ?, finalizedAt = ?, paidAt = ?, failureCode = NULL, failureMessage = NULL,
                    failedAt = NULL WHERE id = ?
                """
        ).execute(arguments: [
            invoice.status.rawValue, invoice.number, invoice.subtotal, invoice.total, invoice.amountDue,
            invoice.amountPaid, invoice.amountRemaining, instant, invoice.paidAt, id.rawValue,
        ])
        try postFinalization(invoice, cache: &cache, db)
        try closeUsage(invoice, customerSeq: customerSeq, at: instant, cache: &cache, db)
        return invoice
    }

    /// Receivable against revenue, per line's account; no entry when nothing is billed.
    static func postFinalization(_ invoice: Invoice, cache: inout [Price.ID: PriceInfo], _ db: Database) throws {
        guard invoice.subtotal != 0 else { return }
        var credits: [Account: Int64] = [:]
        var order: [Account] = []
        for line in invoice.lines where line.amount != 0 {
            let account: Account
            if let price = line.price {
                account =
                    try priceInfo(db, price, cache: &cache).isMetered
                    ? .revenue(price) : .subscriptionRevenue(price)
            } else {
                account = .revenueInvoiceItems
            }
            if credits[account] == nil { order.append(account) }
            credits[account, default: 0] -= line.amount
        }
        var postings: [Posting] = []
        if invoice.total != 0 {
            postings.append(
                Posting(account: .receivable(invoice.customer), amountMinor: invoice.total, currency: invoice.currency))
        }
        postings += try creditPostings(db, invoice)
        postings += order.map { Posting(account: $0, amountMinor: credits[$0]!, currency: invoice.currency) }
        try post(
            JournalEntry.balanced(
                postedAt: invoice.finalizedAt!, description: "Invoice \(invoice.number!) finalized",
                sourceType: "invoice.finalized", sourceId: invoice.id.rawValue, postings: postings), db)
    }

    /// After a finalization: events recorded after it but timestamped in a metered line's period
    /// are late (never billed), and the billed-through mark moves to the period's end.
    static func closeUsage(
        _ invoice: Invoice, customerSeq: Int64, at instant: Int64, cache: inout [Price.ID: PriceInfo], _ db: Database
    ) throws {
        guard invoice.billingReason != .subscriptionCreate else { return }
        let recordedMax = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT recordedMax FROM meterEventClock WHERE id = 1"))!
        for line in invoice.lines {
            guard line.meter != nil, let price = line.price else { continue }
            let meterSeq = try priceInfo(db, price, cache: &cache).meterSeq!
            if recordedMax > instant {
                try db.cachedStatement(
                    sql: """
                        UPDATE meterEvent SET late = 1 WHERE customerSeq = ? AND meterSeq = ? AND timestamp >= ?
                            AND timestamp < ? AND recordedAt > ? AND late = 0
                        """
                ).execute(arguments: [customerSeq, meterSeq, line.periodStart, line.periodEnd, instant])
            }
            try db.cachedStatement(sql: "UPDATE meterEventClock SET billedMax = ? WHERE id = 1 AND billedMax < ?")
                .execute(arguments: [line.periodEnd, line.periodEnd])
            try db.cachedStatement(
                sql: """
                    INSERT INTO meterBilledThrough (customerSeq, meterSeq, billedThrough) VALUES (?, ?, ?)
                    ON CONFLICT (customerSeq, meterSeq) DO UPDATE SET billedThrough = max(billedThrough, excluded.billedThrough)
                    """
            ).execute(arguments: [customerSeq, meterSeq, line.periodEnd])
        }
    }

    /// Whether an event of this customer and meter at `timestamp` falls in a metered period whose
    /// invoice is finalized.
    static func isInFinalizedPeriod(_ db: Database, customerSeq: Int64, meterSeq: Int64, timestamp: Int64) throws
        -> Bool
    {
        try Bool.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT 1 FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId
                    WHERE l.customerSeq = ? AND l.meterSeq = ? AND l.periodStart <= ? AND l.periodEnd > ?
                        AND i.status != 'draft' AND i.billingReason != 'subscription_create'
                    LIMIT 1
                    """),
            arguments: [customerSeq, meterSeq, timestamp, timestamp]) ?? false
    }

    /// Finalizes a draft now.
    /// - Throws: `resource_missing`, `invalid_transition`.
    public func finalizeInvoice(_ id: Invoice.ID) throws -> Invoice {
        let now = self.now
        return try write(at: now) { db in try Self.finalize(id, at: now, db) }
    }

    // MARK: After finalization

    /// Records a payment received out of band: cash against the receivable.
    /// - Throws: `resource_missing`, `invalid_transition` (only open or uncollectible invoices).
    public func payInvoice(_ id: Invoice.ID) throws -> Invoice {
        let now = self.now
        return try write(at: now) { db in
            let invoice = try Self.fetchInvoice(db, id)
            try InvoiceLifecycle.check(.pay, from: invoice.status, invoice: id.rawValue)
            let amount = invoice.amountRemaining
            if amount != 0 {
                let from: Account = invoice.status == .uncollectible ? .uncollectible : .receivable(invoice.customer)
                try Self.post(
                    JournalEntry.balanced(
                        postedAt: now, description: "Invoice \(invoice.number!) paid", sourceType: "invoice.paid",
                        sourceId: id.rawValue,
                        postings: [
                            Posting(account: .cash, amountMinor: amount, currency: invoice.currency),
                            Posting(account: from, amountMinor: -amount, currency: invoice.currency),
                        ]), db)
            }
            try db.execute(
                sql:
                    "UPDATE invoice SET status = 'paid', amountPaid = amountPaid + amountRemaining, amountRemaining = 0, paidAt = ? WHERE id = ?",
                arguments: [now, id.rawValue])
            return try Self.fetchInvoice(db, id)
        }
    }

    /// Writes the receivable off as uncollectible.
    /// - Throws: `resource_missing`, `invalid_transition` (only open invoices).
    public func markUncollectible(_ id: Invoice.ID) throws -> Invoice {
        let now = self.now
        return try write(at: now) { db in
            let invoice = try Self.fetchInvoice(db, id)
            try InvoiceLifecycle.check(.markUncollectible, from: invoice.status, invoice: id.rawValue)
            if invoice.amountRemaining != 0 {
                try Self.post(
                    JournalEntry.balanced(
                        postedAt: now, description: "Invoice \(invoice.number!) marked uncollectible",
                        sourceType: "invoice.uncollectible", sourceId: id.rawValue,
                        postings: [
                            Posting(
                                account: .uncollectible, amountMinor: invoice.amountRemaining,
                                currency: invoice.currency),
                            Posting(
                                account: .receivable(invoice.customer), amountMinor: -invoice.amountRemaining,
                                currency: invoice.currency),
                        ]), db)
            }
            try db.execute(
                sql: "UPDATE invoice SET status = 'uncollectible', markedUncollectibleAt = ? WHERE id = ?",
                arguments: [now, id.rawValue])
            return try Self.fetchInvoice(db, id)
        }
    }

    /// Voids an open or uncollectible invoice: its finalization entry is reversed (against the
    /// write-off when it was uncollectible).
    /// - Throws: `resource_missing`, `invalid_transition`.
    public func voidInvoice(_ id: Invoice.ID) throws -> Invoice {
        let now = self.now
        return try write(at: now) { db in
            let invoice = try Self.fetchInvoice(db, id)
            try InvoiceLifecycle.check(.void, from: invoice.status, invoice: id.rawValue)
            let receivable = Account.receivable(invoice.customer)
            if let entry = try Self.entries(db, sourceType: "invoice.finalized", sourceId: id.rawValue).first {
                let postings = entry.postings.map { p in
                    Posting(
                        account: invoice.status == .uncollectible && p.account == receivable
                            ? .uncollectible : p.account,
                        amountMinor: -p.amountMinor, currency: p.currency)
                }
                try Self.post(
                    JournalEntry.balanced(
                        postedAt: now, description: "Invoice \(invoice.number!) voided", sourceType: "invoice.voided",
                        sourceId: id.rawValue, postings: postings), db)
            }
            try Self.reinstateCredits(db, invoice, at: now)
            try db.execute(
                sql: "UPDATE invoice SET status = 'void', voidedAt = ? WHERE id = ?", arguments: [now, id.rawValue])
            return try Self.fetchInvoice(db, id)
        }
    }

    /// Deletes a draft; its invoice items become pending again.
    /// - Throws: `resource_missing`, `invalid_transition` (only drafts).
    public func deleteInvoice(_ id: Invoice.ID) throws -> Invoice {
        let now = self.now
        return try write(at: now) { db in
            let invoice = try Self.fetchInvoice(db, id)
            try InvoiceLifecycle.check(.delete, from: invoice.status, invoice: id.rawValue)
            try db.execute(sql: "DELETE FROM invoiceLine WHERE invoiceId = ?", arguments: [id.rawValue])
            try db.execute(sql: "UPDATE invoiceItem SET invoiceId = NULL WHERE invoiceId = ?", arguments: [id.rawValue])
            try db.execute(sql: "DELETE FROM invoice WHERE id = ?", arguments: [id.rawValue])
            return invoice
        }
    }

    static func entries(_ db: Database, sourceType: String, sourceId: String) throws -> [JournalEntry] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM journalEntry WHERE sourceType = ? AND sourceId = ? ORDER BY postedAt, rowid",
            arguments: [sourceType, sourceId]
        ).map { row in
            let id: String = row["id"]
            let postings = try Row.fetchAll(
                db, sql: "SELECT * FROM posting WHERE entryId = ? ORDER BY position", arguments: [id]
            ).map {
                Posting(
                    account: try Account($0["account"]), amountMinor: $0["amountMinor"],
                    currency: try Currency(code: $0["currency"]))
            }
            return try JournalEntry.balanced(
                id: .init(id), postedAt: row["postedAt"], description: row["description"], sourceType: sourceType,
                sourceId: sourceId, postings: postings)
        }
    }

    // MARK: Manual invoices and invoice items

    /// Creates a manual draft invoice; with `includePending`, the customer's pending items in
    /// its currency join it.
    /// - Throws: `resource_missing`, `invalid_currency`, `invalid_request` (no currency to use).
    public func createInvoice(
        customer: Customer.ID, currency: Currency?, includePending: Bool, description: String?, id: String? = nil,
        metadata: [String: String] = [:]
    ) throws -> Invoice {
        let now = self.now
        try Text.validate(description, param: "description")
        try Metadata.validate(metadata)
        let invoiceID = try newID(id, prefix: Invoice.idPrefix)
        return try write(at: now) { db in
            try requireAbsent(db, table: "invoice", id: invoiceID, kind: "invoice")
            _ = try Self.customerSeq(db, customer)
            var chosen = currency
            if chosen == nil && includePending {
                let pending = try String.fetchAll(
                    db, sql: "SELECT DISTINCT currency FROM invoiceItem WHERE customerId = ? AND invoiceId IS NULL",
                    arguments: [customer.rawValue])
                if pending.count == 1 { chosen = try Currency(code: pending[0]) }
            }
            guard let chosen else {
                throw LedgerError.invalidRequest(
                    "give --currency (no single currency of pending items to use)", param: "currency")
            }
            var lines: [InvoiceLine] = []
            if includePending {
                let rows = try Row.fetchAll(
                    db,
                    sql:
                        "SELECT * FROM invoiceItem WHERE customerId = ? AND currency = ? AND invoiceId IS NULL ORDER BY seq",
                    arguments: [customer.rawValue, chosen.code])
                lines = try rows.map { row in
                    let item = try Self.invoiceItem(row)
                    return Self.line(for: item)
                }
            }
            var invoice = try Self.draft(
                customer: customer, subscription: nil, reason: .manual, currency: chosen, period: (now, now),
                lines: lines,
                description: description, created: now, finalizesAt: nil, id: invoiceID)
            invoice.metadata = metadata
            try Self.insert(invoice, db)
            return try Self.fetchInvoice(db, invoice.id)
        }
    }

    static func line(for item: InvoiceItem) -> InvoiceLine {
        InvoiceLine(
            id: .init(IDs.generate(prefix: InvoiceLine.idPrefix)), kind: .invoiceItem, price: nil,
            subscriptionItem: nil,
            invoiceItem: item.id, meter: nil, description: item.description, quantity: item.quantity,
            amount: item.amount,
            currency: item.currency, periodStart: item.created, periodEnd: item.created)
    }

    /// Creates an invoice item: pending, or on a draft invoice of the same customer and currency.
    /// - Throws: `resource_missing`, `invalid_amount`, `invalid_quantity`, `amount_overflow`,
    ///   `currency_mismatch`, `invoice_not_editable`, `invalid_request`.
    public func createInvoiceItem(_ params: InvoiceItemParams) throws -> InvoiceItem {
        let now = self.now
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
        return try write(at: now) { db in
            try requireAbsent(db, table: "invoiceItem", id: id, kind: "invoice item")
            _ = try Self.customerSeq(db, params.customer)
            if let subscription = params.subscription {
                let sub = try Self.fetchSubscription(db, subscription)
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
                let invoice = try Self.fetchInvoice(db, invoiceID)
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
            try db.execute(
                sql: """
                    INSERT INTO invoiceItem (id, customerId, currency, amount, unitAmountDecimal, quantityDecimal, description,
                        subscriptionId, invoiceId, metadata, created)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    id, params.customer.rawValue, params.currency.code, amount, unitAmount?.description,
                    quantity.description, params.description, params.subscription?.rawValue, params.invoice?.rawValue,
                    MetadataJSON.encode(params.metadata), now,
                ])
            if let invoiceID = params.invoice {
                let position =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM invoiceLine WHERE invoiceId = ?", arguments: [invoiceID.rawValue]
                    ) ?? 0
                try Self.insert(
                    Self.line(for: item), invoice: invoiceID, position: position,
                    customerSeq: try Self.customerSeq(db, params.customer), db)
                try Self.updateDraftTotals(invoiceID, db)
            }
            return item
        }
    }

    /// Invoice items, oldest first, optionally of one customer.
    public func invoiceItems(customer: Customer.ID? = nil) throws -> [InvoiceItem] {
        try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM invoiceItem WHERE customerId IS ? OR ? ORDER BY seq",
                arguments: [customer?.rawValue, customer == nil]
            ).map(Self.invoiceItem)
        }
    }

    // MARK: Reads

    /// - Throws: `resource_missing`.
    public func invoice(_ id: Invoice.ID) throws -> Invoice {
        try store.read { db in try Self.fetchInvoice(db, id) }
    }

    /// Invoices, oldest first, filtered by customer, status and subscription when given.
    public func invoices(
        customer: Customer.ID? = nil, status: Invoice.Status? = nil, subscription: Subscription.ID? = nil
    ) throws -> [Invoice] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM invoice WHERE (customerId IS ? OR ?) AND (status IS ? OR ?) AND (subscriptionId IS ? OR ?)
                    ORDER BY created, seq
                    """,
                arguments: [
                    customer?.rawValue, customer == nil, status?.rawValue, status == nil, subscription?.rawValue,
                    subscription == nil,
                ]
            ).map { try Self.invoice(db, $0) }
        }
    }

    /// The upcoming invoice of a subscription as of now (Stripe's `create_preview`): the usage of
    /// the current period so far, the next period's licensed items, pending items. Writes nothing.
    /// - Throws: `resource_missing`, `subscription_canceled`.
    public func previewInvoice(subscription id: Subscription.ID) throws -> Invoice {
        let now = self.now
        return try store.read { db in
            let sub = try Self.fetchSubscription(db, id)
            guard sub.status == .active else {
                throw LedgerError(
                    .subscriptionCanceled, "subscription '\(id)' is canceled: nothing is upcoming",
                    param: "subscription")
            }
            var cache: [Price.ID: PriceInfo] = [:]
            let boundary = sub.currentPeriodEnd
            let next = sub.cycle.boundary(after: boundary)
            let lines = try Self.subscriptionLines(
                db, sub, usage: (sub.currentPeriodStart, boundary),
                advance: sub.cancelAtPeriodEnd ? nil : (boundary, next),
                zeroMetered: nil, asOf: now, pendingItems: true, cache: &cache)
            var preview = try Self.draft(
                customer: sub.customer, subscription: id,
                reason: sub.cancelAtPeriodEnd ? .subscriptionCancel : .subscriptionCycle,
                currency: sub.currency, period: (sub.currentPeriodStart, boundary), lines: lines, description: nil,
                created: now, finalizesAt: boundary + sub.graceSeconds, id: "upcoming_\(id.rawValue)")
            // Provisional credits: what the grants would pay if it finalized now, after the
            // customer's drafts (they finalize first) took theirs.
            let plans = try Self.holds(db, customer: sub.customer, at: now, upcoming: preview, cache: &cache)
            for application in plans.last ?? [] {
                let index = preview.lines.firstIndex { $0.id == application.line }!
                preview.lines[index].creditAmounts.append(
                    CreditAmount(amount: application.amount, transaction: nil, grant: application.grant.rawValue))
            }
            let credits = try MinorUnits.sum(preview.creditAmounts.map(\.amount))
            preview.total = preview.subtotal - credits
            preview.amountDue = max(preview.total, 0)
            preview.amountRemaining = preview.amountDue
            return preview
        }
    }

    // MARK: The billing run

    /// Processes, in time order up to `until` (default now), every due subscription period,
    /// every draft whose finalization time has come and every expiry, each at its own scheduled
    /// instant. Running it again changes nothing; running it in steps gives the same result as
    /// one run. A draft that cannot be finalized (`amount_overflow`) is left a draft with its
    /// reason and listed in the report; every other step goes on. `onProgress` hears the running
    /// totals after each committed batch of steps.
    /// - Throws: `invalid_request` when `until` is after now (a period that has not ended would be
    ///   billed, and its later usage lost to it), `clock_regression`, `storage_error`, `busy`;
    ///   steps already committed stay.
    public func bill(until: Int64? = nil, onProgress: (BillReport) -> Void = { _ in }) throws -> BillReport {
        let now = self.now
        let until = until ?? now
        guard until <= now else {
            throw LedgerError.invalidRequest(
                "until \(Instant.format(until)) is after now (\(Instant.format(now))): a billing run never bills a period before it has ended",
                param: "until")
        }
        let allowRegression = allowClockRegression
        var report = BillReport()
        var finished = false
        while !finished {
            // Up to `billStepsPerTransaction` steps per transaction: each step's state is
            // re-read inside it, so concurrent runs never process a step twice.
            try store.write { db in
                try Self.advanceClock(db, to: now, allowRegression: allowRegression)
                var cache: [Price.ID: PriceInfo] = [:]
                finished = try Self.runDueSteps(
                    db, until: until, report: &report, cache: &cache, limit: Limits.billStepsPerTransaction)
            }
            onProgress(report)
        }
        return report
    }
}
