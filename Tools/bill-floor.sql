-- The floor of a billing run: plain SQL writing, set-based and in one transaction, the rows that
-- `ledger bill` writes for one period of every active subscription, on the ledger's own schema
-- (its constraints and triggers all fire). The benchmark runs it on a copy of the file it bills
-- and checks that both wrote the same invoices, lines, credit applications and postings
-- (Tools/Bench/Floor.swift); by hand: sqlite3 FILE < Tools/bill-floor.sql
--
-- It bills what the benchmark's file holds, and no more: subscriptions sharing one monthly period
-- (billed once it ends and its grace has passed), metered prices graduated with the first 1,000
-- units free and then 0.1 minor unit each, licences per unit, whole-number usage, and grants
-- scoped to metered prices burning in priority order. Ledger IDs are random; these are too.
PRAGMA foreign_keys = ON;
BEGIN IMMEDIATE;

CREATE TEMP TABLE due AS
SELECT s.id AS subscriptionId, s.customerId, c.seq AS customerSeq, s.currency,
    s.currentPeriodStart AS periodStart, s.currentPeriodEnd AS periodEnd,
    s.currentPeriodEnd + s.graceSeconds AS finalizedAt,
    CAST(strftime('%s', s.currentPeriodEnd, 'unixepoch', '+' || s.intervalCount || ' months') AS INTEGER)
        AS nextPeriodEnd,
    'in_' || lower(hex(randomblob(12))) AS invoiceId,
    row_number() OVER (ORDER BY s.seq) - 1 AS n
FROM subscription s JOIN customer c ON c.id = s.customerId
WHERE s.status = 'active' AND s.interval = 'month';

CREATE UNIQUE INDEX temp.due_invoice ON due(invoiceId);
CREATE UNIQUE INDEX temp.due_subscription ON due(subscriptionId);

-- One aggregation for every subscription: the usage of the period, as recorded by finalization.
CREATE TEMP TABLE usage AS
SELECT e.customerSeq, e.meterSeq, sum(e.valueSignificand) AS quantity
FROM meterEvent e
WHERE e.timestamp >= (SELECT min(periodStart) FROM due) AND e.timestamp < (SELECT max(periodEnd) FROM due)
    AND e.recordedAt <= (SELECT max(finalizedAt) FROM due)
    AND (e.cancelledAt IS NULL OR e.cancelledAt > (SELECT max(finalizedAt) FROM due))
GROUP BY e.customerSeq, e.meterSeq;

CREATE TEMP TABLE line AS
SELECT d.invoiceId, 'il_' || lower(hex(randomblob(12))) AS lineId, si.position, si.id AS itemId, p.id AS priceId,
    p.usageType, m.seq AS meterSeq, d.customerSeq, pr.name AS productName,
    CASE WHEN p.usageType = 'metered' THEN coalesce(u.quantity, 0) ELSE si.quantity END AS quantity,
    CASE WHEN p.usageType = 'metered' THEN (max(coalesce(u.quantity, 0) - 1000, 0) + 5) / 10
        ELSE si.quantity * CAST(p.unitAmountDecimal AS INTEGER) END AS amount,
    d.currency,
    CASE WHEN p.usageType = 'metered' THEN d.periodStart ELSE d.periodEnd END AS periodStart,
    CASE WHEN p.usageType = 'metered' THEN d.periodEnd ELSE d.nextPeriodEnd END AS periodEnd
FROM due d
JOIN subscriptionItem si ON si.subscriptionId = d.subscriptionId
JOIN price p ON p.id = si.priceId
JOIN product pr ON pr.id = p.productId
LEFT JOIN meter m ON m.id = p.meterId
LEFT JOIN usage u ON u.customerSeq = d.customerSeq AND u.meterSeq = m.seq;

CREATE INDEX temp.line_invoice ON line(invoiceId, position);

-- Credits: each metered line and each grant as a range of minor units; an application is where
-- a grant's range (in burn order, capped by what it has left) meets a line's.
CREATE TEMP TABLE meteredLine AS
SELECT invoiceId, lineId, position, amount,
    sum(amount) OVER (PARTITION BY invoiceId ORDER BY position) - amount AS lo,
    sum(amount) OVER (PARTITION BY invoiceId ORDER BY position) AS hi
FROM line WHERE usageType = 'metered';
CREATE INDEX temp.meteredLine_invoice ON meteredLine(invoiceId);

CREATE TEMP TABLE grantLeft AS
SELECT d.invoiceId, g.id AS grantId, g.category, g.amount AS face, coalesce(g.costBasis, 0) AS cost,
    g.priority, g.seq,
    g.amount - coalesce((SELECT sum(t.amount) FROM creditBalanceTransaction t
        WHERE t.grantId = g.id AND t.type = 'debit' AND t.effectiveAt <= d.finalizedAt), 0) AS remaining
FROM due d JOIN creditGrant g ON g.customerId = d.customerId
WHERE g.currency = d.currency AND g.scopeType = 'metered' AND g.effectiveAt <= d.finalizedAt
    AND g.voidedAt IS NULL AND (g.expiresAt IS NULL OR g.expiresAt > d.finalizedAt);

CREATE TEMP TABLE grantRange AS
SELECT invoiceId, grantId, category, face, cost, remaining, priority, seq,
    sum(remaining) OVER w - remaining AS lo, sum(remaining) OVER w AS hi
FROM grantLeft WHERE remaining > 0
WINDOW w AS (PARTITION BY invoiceId ORDER BY priority, seq);
CREATE INDEX temp.grantRange_invoice ON grantRange(invoiceId, grantId);

CREATE TEMP TABLE application AS
SELECT g.invoiceId, g.grantId, l.lineId, l.position, g.priority, g.seq,
    min(g.hi, l.hi) - max(g.lo, l.lo) AS amount
FROM grantRange g JOIN meteredLine l ON l.invoiceId = g.invoiceId
WHERE min(g.hi, l.hi) > max(g.lo, l.lo);

CREATE TEMP TABLE applied AS
SELECT a.invoiceId, a.grantId, g.category, g.face, g.cost, g.face - g.remaining AS before,
    sum(a.amount) AS amount, min(a.priority) AS priority, min(a.seq) AS seq
FROM application a JOIN grantRange g ON g.invoiceId = a.invoiceId AND g.grantId = a.grantId
GROUP BY a.invoiceId, a.grantId;

-- The invoices: drafts first (lines may only be added to drafts), then finalized.
INSERT INTO invoice (id, customerId, subscriptionId, billingReason, status, currency, periodStart, periodEnd,
    subtotal, total, amountDue, finalizesAt, created)
SELECT d.invoiceId, d.customerId, d.subscriptionId, 'subscription_cycle', 'draft', d.currency, d.periodStart,
    d.periodEnd, l.subtotal, l.subtotal - coalesce(a.credits, 0), l.subtotal - coalesce(a.credits, 0),
    d.finalizedAt, d.periodEnd
FROM due d
JOIN (SELECT invoiceId, sum(amount) AS subtotal FROM line GROUP BY invoiceId) l ON l.invoiceId = d.invoiceId
LEFT JOIN (SELECT invoiceId, sum(amount) AS credits FROM applied GROUP BY invoiceId) a ON a.invoiceId = d.invoiceId;

INSERT INTO invoiceLine (id, invoiceId, position, type, priceId, subscriptionItemId, meterSeq, customerSeq,
    description, quantityDecimal, amount, currency, periodStart, periodEnd, customerId)
SELECT lineId, invoiceId, position, 'subscription', priceId, itemId, meterSeq,
    CASE WHEN meterSeq IS NULL THEN NULL ELSE customerSeq END,
    CASE WHEN usageType = 'metered' THEN productName || ' (usage)' ELSE quantity || ' × ' || productName END,
    CAST(quantity AS TEXT), amount, currency, periodStart, periodEnd,
    (SELECT d.customerId FROM due d WHERE d.invoiceId = line.invoiceId)
FROM line ORDER BY invoiceId, position;

UPDATE invoice SET status = 'open',
    number = 'INV-' || printf('%06d', (SELECT next FROM invoiceCounter WHERE name = 'invoice')
        + (SELECT n FROM due WHERE due.invoiceId = invoice.id)),
    finalizedAt = finalizesAt, amountRemaining = amountDue
WHERE id IN (SELECT invoiceId FROM due);

UPDATE invoiceCounter SET next = next + (SELECT count(*) FROM due) WHERE name = 'invoice';

INSERT INTO creditBalanceTransaction (id, grantId, customerId, type, kind, amount, currency, effectiveAt,
    invoiceId, invoiceLineId, created)
SELECT 'cbtxn_' || lower(hex(randomblob(12))), a.grantId, d.customerId, 'debit', 'credits_applied', a.amount,
    d.currency, d.finalizedAt, a.invoiceId, a.lineId, d.finalizedAt
FROM application a JOIN due d ON d.invoiceId = a.invoiceId
ORDER BY a.invoiceId, a.priority, a.seq, a.position;

-- The finalization entries: the receivable, then each grant's credit in burn order (a paid
-- grant's cost share on its prepayment, the rest of its face as a discount), then each line's
-- revenue; the postings go in before their entry, which the balance trigger checks.
CREATE TEMP TABLE entryPosting AS
SELECT invoiceId, account, amountMinor, k1, k2 FROM (
    SELECT d.invoiceId, 'assets:receivable:' || d.customerId AS account, i.amountDue AS amountMinor,
        0 AS k1, 0 AS k2
    FROM due d JOIN invoice i ON i.id = d.invoiceId WHERE i.amountDue != 0
    UNION ALL
    SELECT invoiceId, 'liabilities:credits:' || grantId, amount, 1, priority * 1000000 + seq * 2
    FROM applied WHERE category = 'promotional'
    UNION ALL
    SELECT invoiceId, 'liabilities:prepayments:' || grantId, atCost, 1, priority * 1000000 + seq * 2
    FROM (SELECT *, (2 * cost * (before + amount) + face) / (2 * face) - (2 * cost * before + face) / (2 * face)
        AS atCost FROM applied WHERE category = 'paid')
    WHERE atCost != 0
    UNION ALL
    SELECT invoiceId, 'revenue:credit_discounts:' || grantId, amount - atCost, 1, priority * 1000000 + seq * 2 + 1
    FROM (SELECT *, (2 * cost * (before + amount) + face) / (2 * face) - (2 * cost * before + face) / (2 * face)
        AS atCost FROM applied WHERE category = 'paid')
    WHERE amount != atCost
    UNION ALL
    SELECT invoiceId,
        CASE WHEN usageType = 'metered' THEN 'revenue:usage:' ELSE 'revenue:subscriptions:' END || priceId,
        -amount, 2, position
    FROM line WHERE amount != 0
);

CREATE TEMP TABLE entry AS
SELECT d.invoiceId, 'je_' || lower(hex(randomblob(12))) AS entryId, d.finalizedAt, i.number, d.customerId
FROM due d JOIN invoice i ON i.id = d.invoiceId;
CREATE UNIQUE INDEX temp.entry_invoice ON entry(invoiceId);

INSERT INTO posting (entryId, position, account, currency, amountMinor, postedAt, customerId)
SELECT e.entryId, row_number() OVER (PARTITION BY p.invoiceId ORDER BY p.k1, p.k2) - 1, p.account, d.currency,
    p.amountMinor, d.finalizedAt, d.customerId
FROM entryPosting p JOIN entry e ON e.invoiceId = p.invoiceId JOIN due d ON d.invoiceId = p.invoiceId;

INSERT INTO journalEntry (id, postedAt, description, sourceType, sourceId, created, customerId)
SELECT entryId, finalizedAt, 'Invoice ' || number || ' finalized', 'invoice.finalized', invoiceId, finalizedAt,
    customerId
FROM entry;

-- What the run moves on: each subscription's period, each usage's billed-through mark, the clocks.
UPDATE subscription SET currentPeriodStart = currentPeriodEnd,
    currentPeriodEnd = (SELECT nextPeriodEnd FROM due WHERE due.subscriptionId = subscription.id)
WHERE id IN (SELECT subscriptionId FROM due);

INSERT INTO meterBilledThrough (customerSeq, meterSeq, billedThrough, customerId)
SELECT DISTINCT customerSeq, meterSeq, (SELECT max(periodEnd) FROM due),
    (SELECT c.id FROM customer c WHERE c.seq = line.customerSeq)
FROM line WHERE meterSeq IS NOT NULL
ON CONFLICT (customerId, customerSeq, meterSeq) DO UPDATE SET billedThrough = excluded.billedThrough;

UPDATE meterEventClock SET billedMax = max(billedMax, (SELECT max(periodEnd) FROM due)) WHERE id = 1;
UPDATE ledgerClock SET processedThrough = max(processedThrough, (SELECT max(finalizedAt) FROM due)) WHERE id = 1;

COMMIT;
