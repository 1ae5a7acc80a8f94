extension Ledger {
    // MARK: Finalization

    /// Finalizes a draft at `instant` (SPEC §2.5), inside the caller's transaction: recomputes
    /// metered lines from the events recorded by then, applies credit grants, assigns the next
    /// gapless number, posts the journal, and freezes the invoice. Nothing due → `paid` at once.
    static func finalize(_ id: Invoice.ID, at instant: Int64, _ tx: StorageTransaction) throws -> Invoice {
        var cache: [Price.ID: PriceInfo] = [:]
        return try finalize(id, at: instant, tx, cache: &cache)
    }

    static func finalize(
        _ id: Invoice.ID, at instant: Int64, _ tx: StorageTransaction, cache: inout [Price.ID: PriceInfo]
    ) throws -> Invoice {
        try finalize(try tx.fetchInvoice(id), at: instant, tx, cache: &cache)
    }

    /// Finalizes `draft`, as stored, at `instant`.
    static func finalize(
        _ draft: Invoice, at instant: Int64, _ tx: StorageTransaction, cache: inout [Price.ID: PriceInfo]
    ) throws -> Invoice {
        // Read what the rule needs: the draft, its prices, its metered usage as of the instant
        // (not for the classic first invoice, whose metered lines are placeholders), the grants,
        // the next number. Nothing is written before the plan: a plan that fails
        // (`amount_overflow`) leaves the file as it was, so the billing run needs no savepoint.
        let id = draft.id
        try InvoiceLifecycle.check(.finalize, from: draft.status, invoice: id.rawValue)
        let customerSeq = try tx.customerSeq(draft.customer)
        let recordedMax = try tx.recordedEventsMark()
        // A draft made after the recorded-events mark counted events that all stand as they did
        // (none recorded or cancelled since: `markEventsChanged`), so its metered quantities are
        // the count as of `instant` too, unless it failed (its lines may be placeholders).
        let usageStands = draft.failure == nil && recordedMax < draft.created
        var prices: [Price.ID: Price] = [:]
        var usage: [InvoiceLine.ID: ExactDecimal] = [:]
        for line in draft.lines {
            guard let price = line.price else { continue }
            let info = try tx.priceInfo(price, cache: &cache)
            prices[price] = info.price
            if line.meter != nil && draft.billingReason != .subscriptionCreate {
                usage[line.id] =
                    usageStands
                    ? line.quantity
                    : try meteredQuantity(
                        tx, customerSeq: customerSeq, info: info, start: line.periodStart, end: line.periodEnd,
                        asOf: instant)
            }
        }
        let grants = draft.subscription == nil ? [] : try finalizationGrants(tx, customer: draft.customer, at: instant)
        let number = try tx.nextInvoiceNumber()
        let plan = try Finalization.plan(
            .init(draft: draft, instant: instant, number: number, usage: usage, prices: prices, grants: grants))
        // Write it.
        let taken = try tx.takeInvoiceNumber()
        assert(taken == number, "the number planned is the one taken")
        let drafted = Dictionary(draft.lines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for line in plan.recounted {
            let before = drafted[line.id]
            guard before?.amount != line.amount || before?.quantity.description != line.quantity.description
            else { continue }
            try tx.updateUsage(of: line.id, quantity: line.quantity, amount: line.amount)
        }
        let byID = Dictionary(grants.map { ($0.grant.id, $0.grant) }, uniquingKeysWith: { first, _ in first })
        let transactions = try plan.applications.map { application in
            try tx.book(
                grant: try stored(byID[application.grant], "planned grant"), kind: .creditsApplied,
                amount: application.amount, at: instant, now: instant, invoice: id, line: application.line)
        }
        let invoice = plan.invoice(transactions: transactions)
        try tx.saveFinalized(invoice)
        if let entry = plan.entry { try tx.post(entry, customer: invoice.customer) }
        try closeUsage(invoice, customerSeq: customerSeq, at: instant, recordedMax: recordedMax, cache: &cache, tx)
        if !transactions.isEmpty { try judgeAlerts(tx, customer: invoice.customer, through: instant) }
        try settleAllowances(tx, closedBy: invoice, at: instant)
        try tx.appendFeed(.invoiceFinalized, .invoice(invoice), at: instant)
        if invoice.status == .paid { try tx.appendFeed(.invoicePaid, .invoice(invoice), at: instant) }
        return invoice
    }

    /// After a finalization: events recorded after it but timestamped in a metered line's period
    /// are late (never billed), and the billed-through marks move to the period's end.
    static func closeUsage(
        _ invoice: Invoice, customerSeq: Int64, at instant: Int64, recordedMax: Int64,
        cache: inout [Price.ID: PriceInfo], _ tx: StorageTransaction
    ) throws {
        guard invoice.billingReason != .subscriptionCreate else { return }
        for line in invoice.lines {
            guard line.meter != nil, let price = line.price else { continue }
            try tx.closeUsage(
                customer: invoice.customer, customerSeq: customerSeq,
                meterSeq: try tx.priceInfo(price, cache: &cache).meterSeq!,
                periodStart: line.periodStart, periodEnd: line.periodEnd, at: instant, recordedMax: recordedMax)
        }
    }

    /// Finalizes a draft now; `autoAdvance` (Stripe's `auto_advance` on finalize), when given,
    /// is recorded on the finalized invoice in the same transaction.
    /// - Throws: `resource_missing`, `invalid_transition`.
    public func finalizeInvoice(_ id: Invoice.ID, autoAdvance: Bool? = nil) throws -> Invoice {
        let now = try self.now
        return try write(at: now) { tx, now in
            let invoice = try Self.finalize(id, at: now, tx)
            guard let autoAdvance, autoAdvance != invoice.autoAdvance else { return invoice }
            try tx.setAutoAdvance(id, autoAdvance)
            return try tx.fetchInvoice(id)
        }
    }

    // MARK: After finalization

    /// Records a payment received out of band: cash against the receivable.
    /// - Throws: `resource_missing`, `invalid_transition` (only open or uncollectible invoices).
    public func payInvoice(_ id: Invoice.ID) throws -> Invoice {
        try transition(id, .pay, entry: ("invoice.paid", "paid"), feed: .invoicePaid) { invoice, _ in
            PostingRules.paid(invoice: invoice)
        } mark: { tx, now in
            try tx.markPaid(id, at: now)
            try Self.topUpPaid(tx, invoice: id, at: now)
        }
    }

    /// Writes the receivable off as uncollectible.
    /// - Throws: `resource_missing`, `invalid_transition` (only open invoices).
    public func markUncollectible(_ id: Invoice.ID) throws -> Invoice {
        try transition(
            id, .markUncollectible, entry: ("invoice.uncollectible", "marked uncollectible"),
            feed: .invoiceMarkedUncollectible
        ) { invoice, _ in
            PostingRules.markedUncollectible(invoice: invoice)
        } mark: { tx, now in
            try tx.markUncollectible(id, at: now)
            try Self.topUpUnpaid(tx, invoice: id, why: "was marked uncollectible", at: now)
        }
    }

    /// Voids an open or uncollectible invoice: its finalization entry is reversed (against the
    /// write-off when it was uncollectible), and its credits return to their grants.
    /// - Throws: `resource_missing`, `invalid_transition`.
    public func voidInvoice(_ id: Invoice.ID) throws -> Invoice {
        try transition(id, .void, entry: ("invoice.voided", "voided"), feed: .invoiceVoided) { invoice, tx in
            let finalization = try tx.entries(sourceType: "invoice.finalized", sourceId: id.rawValue).first
            return finalization.map { PostingRules.voided(finalization: $0.postings, invoice: invoice) } ?? []
        } mark: { tx, now in
            let invoice = try tx.fetchInvoice(id)
            try Self.reinstateCredits(tx, invoice, at: now)
            try tx.markVoided(id, at: now)
            try Self.topUpUnpaid(tx, invoice: id, why: "was voided", at: now)
            try Self.judgeAlerts(tx, customer: invoice.customer, through: now)
        }
    }

    /// One step of a finalized invoice's lifecycle at now, in one transaction: the transition is
    /// checked, the entry of what the rule posts (none when it posts nothing) is written under
    /// `entry` (source type, verb), then `mark` records the new state, and the feed gets `feed`.
    private func transition(
        _ id: Invoice.ID, _ action: InvoiceLifecycle.Operation, entry: (source: String, verb: String),
        feed: FeedEvent.Kind, postings: (Invoice, StorageTransaction) throws -> [Posting],
        mark: (StorageTransaction, Int64) throws -> Void
    ) throws -> Invoice {
        let now = try self.now
        return try write(at: now) { tx, now in
            let invoice = try tx.fetchInvoice(id)
            try InvoiceLifecycle.check(action, from: invoice.status, invoice: id.rawValue)
            let postings = try postings(invoice, tx)
            if !postings.isEmpty {
                try tx.post(
                    JournalEntry.balanced(
                        postedAt: now, description: "Invoice \(invoice.number!) \(entry.verb)",
                        sourceType: entry.source,
                        sourceId: id.rawValue, postings: postings), customer: invoice.customer)
            }
            try mark(tx, now)
            let changed = try tx.fetchInvoice(id)
            try tx.appendFeed(feed, .invoice(changed), at: now)
            return changed
        }
    }

    /// Deletes a draft; its invoice items become pending again.
    /// - Throws: `resource_missing`, `invalid_transition` (only drafts).
    public func deleteInvoice(_ id: Invoice.ID) throws -> Invoice {
        let now = try self.now
        return try write(at: now) { tx, now in
            let invoice = try tx.fetchInvoice(id)
            try InvoiceLifecycle.check(.delete, from: invoice.status, invoice: id.rawValue)
            try tx.deleteDraft(id)
            try tx.appendFeed(.invoiceDeleted, .invoice(invoice), at: now)
            // The period it would have billed is done with: its allowance grants settle now.
            try Self.settleAllowances(tx, closedBy: invoice, at: now)
            return invoice
        }
    }

    // MARK: Reads

    /// - Throws: `resource_missing`.
    public func invoice(_ id: Invoice.ID) throws -> Invoice {
        try store.read { tx in try tx.fetchInvoice(id) }
    }

    /// Invoices, oldest first, filtered by customer, status and subscription when given.
    public func invoices(
        customer: Customer.ID? = nil, status: Invoice.Status? = nil, subscription: Subscription.ID? = nil
    ) throws -> [Invoice] {
        try store.read { tx in try tx.invoices(customer: customer, status: status, subscription: subscription) }
    }

    /// The upcoming invoice of a subscription as of now (Stripe's `create_preview`): the usage of
    /// the current period so far, the next period's licensed items, pending items. Writes nothing.
    /// - Throws: `resource_missing`, `subscription_canceled`.
    public func previewInvoice(subscription id: Subscription.ID) throws -> Invoice {
        let now = try self.now
        return try store.read { tx in
            let sub = try tx.fetchSubscription(id)
            guard sub.status == .active else {
                throw LedgerError(
                    .subscriptionCanceled, "subscription '\(id)' is canceled: nothing is upcoming",
                    param: "subscription")
            }
            var cache: [Price.ID: PriceInfo] = [:]
            var preview = try Self.upcoming(tx, sub, at: now, cache: &cache)
            // Provisional credits: what the grants would pay if it finalized now, after the
            // customer's drafts (they finalize first) took theirs.
            let plans = try Self.holds(tx, customer: sub.customer, at: now, upcoming: [preview])
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

    /// The invoice an active subscription's current period would make if it closed at `now`,
    /// without credits: the period's usage so far, the next period's licensed items, pending items.
    static func upcoming(
        _ tx: StorageTransaction, _ sub: Subscription, at now: Int64, cache: inout [Price.ID: PriceInfo]
    ) throws -> Invoice {
        let boundary = sub.currentPeriodEnd
        let next = try sub.cycle.boundary(after: boundary)
        let lines = try Self.subscriptionLines(
            tx, sub, usage: (sub.currentPeriodStart, boundary),
            advance: sub.cancelAtPeriodEnd ? nil : (boundary, next),
            zeroMetered: nil, asOf: now, pendingItems: true, cache: &cache, advanceItems: sub.nextPeriodItems)
        return try InvoiceAssembly.draft(
            customer: sub.customer, subscription: sub.id,
            reason: sub.cancelAtPeriodEnd ? .subscriptionCancel : .subscriptionCycle,
            currency: sub.currency, period: (sub.currentPeriodStart, boundary), lines: lines, description: nil,
            created: now, finalizesAt: boundary + sub.graceSeconds, collection: sub.collection,
            id: "upcoming_\(sub.id.rawValue)")
    }
}
