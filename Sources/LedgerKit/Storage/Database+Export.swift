extension StorageTransaction {
    /// Calls `body` with each row of `kind`'s statement in the range, through a cursor: bounded
    /// memory however many rows.
    func forEachExportRow(_ kind: ExportKind, _ range: ExportRange, _ body: (StoredRow) throws -> Void) throws {
        try forEachRow(Self.exportStatement(kind), range.arguments, body)
    }

    /// The statement of each export kind. Every one takes the parameters of
    /// `ExportRange.arguments` (from, to, customer, no customer) and reads only what it joins, so
    /// a tampered file (an entry that no longer balances) still exports.
    static func exportStatement(_ kind: ExportKind) -> String {
        switch kind {
        case .journal:
            // Every posting of the entries posted in the range, in posting order, with its
            // entry's fields (the journal has no customer: the last two parameters are inert).
            """
            SELECT p.entryId, e.postedAt, e.description, e.sourceType, e.sourceId, p.position, p.account,
                p.currency, p.amountMinor
            FROM journalEntry e JOIN posting p ON p.entryId = e.id
            WHERE e.postedAt >= ? AND e.postedAt < ? AND (? IS NULL OR ?)
            ORDER BY e.postedAt, e.rowid, p.position
            """
        case .invoices:
            // Invoices created in the range, oldest first, with the credits applied to them.
            """
            SELECT i.*, (SELECT coalesce(sum(t.amount), 0) FROM creditBalanceTransaction t
                    WHERE t.invoiceId = i.id AND t.kind = 'credits_applied') AS creditMinor
            FROM invoice i WHERE i.created >= ? AND i.created < ? AND (i.customerId IS ? OR ?)
            ORDER BY i.created, i.seq
            """
        case .invoiceLines:
            // The lines of the invoices created in the range, in invoice and line order, each with
            // its invoice's customer, number and status, its meter, and the credits applied to it:
            // their sum and, per grant, `grant:minor` joined by `;` in grant order.
            """
            SELECT l.*, i.customerId, i.number, i.status AS invoiceStatus, m.id AS meterId,
                (SELECT coalesce(sum(t.amount), 0) FROM creditBalanceTransaction t
                    WHERE t.invoiceLineId = l.id AND t.kind = 'credits_applied') AS creditMinor,
                (SELECT group_concat(grantId || ':' || total, ';') FROM
                    (SELECT grantId, sum(amount) AS total FROM creditBalanceTransaction
                        WHERE invoiceLineId = l.id AND kind = 'credits_applied' GROUP BY grantId ORDER BY grantId) AS g)
                    AS credits
            FROM invoice i JOIN invoiceLine l ON l.invoiceId = i.id LEFT JOIN meter m ON m.seq = l.meterSeq
            WHERE i.created >= ? AND i.created < ? AND (i.customerId IS ? OR ?)
            ORDER BY i.created, i.seq, l.position
            """
        case .invoiceItems:
            """
            SELECT * FROM invoiceItem WHERE created >= ? AND created < ? AND (customerId IS ? OR ?) ORDER BY seq
            """
        case .creditGrants:
            // With the prices of a price scope, `;`-joined.
            """
            SELECT g.*, (SELECT group_concat(priceId, ';') FROM
                (SELECT priceId FROM creditGrantPrice WHERE grantId = g.id ORDER BY priceId) AS s) AS prices
            FROM creditGrant g WHERE g.created >= ? AND g.created < ? AND (g.customerId IS ? OR ?)
            ORDER BY g.seq
            """
        case .creditTransactions:
            """
            SELECT * FROM creditBalanceTransaction
            WHERE effectiveAt >= ? AND effectiveAt < ? AND (customerId IS ? OR ?)
            ORDER BY effectiveAt, seq
            """
        case .events:
            // Events timestamped in the range, in recording order, one row per event and line that
            // billed it (one row with an empty line when none did): the lines of the event's
            // customer and meter on invoices past draft (the classic first invoice's placeholders
            // left out) whose period holds the timestamp, for an event neither late nor cancelled
            // (`EventRules.isBilled`, `finalizedPeriods`). The billed lines are materialized once
            // and probed per event; an event billed twice (two subscriptions on one meter) gives
            // adjacent rows, which the export folds.
            """
            WITH billed AS MATERIALIZED (
                SELECT l.customerSeq, l.meterSeq, l.periodStart, l.periodEnd, l.id, l.invoiceId
                FROM invoiceLine l JOIN invoice i ON i.id = l.invoiceId
                WHERE l.meterSeq IS NOT NULL AND i.status != 'draft' AND i.billingReason != 'subscription_create')
            SELECT e.seq, e.identifier, e.timestamp, e.valueSignificand, e.valueScale, e.dimensions, e.recordedAt,
                e.cancelledAt, e.late, m.id AS meterId, m.eventName, c.id AS customerId,
                b.id AS lineId, b.invoiceId
            FROM meterEvent e JOIN meter m ON m.seq = e.meterSeq JOIN customer c ON c.seq = e.customerSeq
            LEFT JOIN billed b ON e.late = 0 AND e.cancelledAt IS NULL AND b.customerSeq = e.customerSeq
                AND b.meterSeq = e.meterSeq AND b.periodStart <= e.timestamp AND e.timestamp < b.periodEnd
            WHERE e.timestamp >= ? AND e.timestamp < ? AND (c.id IS ? OR ?)
            ORDER BY e.seq
            """
        case .meters:
            // The catalog kinds have no customer: the last two parameters are inert.
            "SELECT * FROM meter WHERE created >= ? AND created < ? AND (? IS NULL OR ?) ORDER BY created, seq"
        case .products:
            "SELECT * FROM product WHERE created >= ? AND created < ? AND (? IS NULL OR ?) ORDER BY created, rowid"
        case .prices:
            // With their tiers as `up_to:unit_amount:flat_amount` joined by `;` in tier order
            // (`up_to` empty for the last tier, an amount empty when not set).
            """
            SELECT p.*, (SELECT group_concat(coalesce(CAST(upTo AS TEXT), '') || ':' || coalesce(unitAmountDecimal, '') || ':'
                    || coalesce(flatAmountDecimal, ''), ';') FROM
                (SELECT * FROM priceTier WHERE priceId = p.id ORDER BY position) AS t) AS tiers
            FROM price p WHERE p.created >= ? AND p.created < ? AND (? IS NULL OR ?)
            ORDER BY p.created, p.rowid
            """
        case .customers:
            "SELECT * FROM customer WHERE created >= ? AND created < ? AND (id IS ? OR ?) ORDER BY seq"
        case .subscriptions:
            // With their items as `price:quantity` joined by `;` in item order (the quantity empty
            // for a metered item).
            """
            SELECT s.*, (SELECT group_concat(priceId || ':' || coalesce(CAST(quantity AS TEXT), ''), ';') FROM
                (SELECT priceId, coalesce((SELECT q.quantity FROM subscriptionItemQuantity q WHERE q.itemId = i.id
                        AND q.effectiveFrom <= s.currentPeriodStart ORDER BY q.effectiveFrom DESC LIMIT 1), quantity)
                        AS quantity
                    FROM subscriptionItem i WHERE subscriptionId = s.id
                        AND coalesce(effectiveFrom, s.currentPeriodStart) <= s.currentPeriodStart
                        AND coalesce(effectiveUntil, s.currentPeriodStart + 1) > s.currentPeriodStart
                    ORDER BY position) AS it)
                AS items
            FROM subscription s WHERE s.created >= ? AND s.created < ? AND (s.customerId IS ? OR ?)
            ORDER BY s.seq
            """
        }
    }
}
