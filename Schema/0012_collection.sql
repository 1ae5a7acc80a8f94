-- 0012 how an invoice asks to be paid (Stripe's collection_method, days_until_due, due_date) and
-- whether it advances on its own (auto_advance).
--
-- A subscription's collection is fixed when it is created; each invoice it makes takes it then,
-- due daysUntilDue days after the invoice's creation. Invoices written before this migration
-- charged automatically and have no due date. The CHECKs mirror Collection's rules: days until
-- due (0 to 3650) exactly with send_invoice, and a due date exactly on a send_invoice invoice.
ALTER TABLE subscription ADD COLUMN collectionMethod TEXT NOT NULL DEFAULT 'charge_automatically'
    CHECK (collectionMethod IN ('charge_automatically', 'send_invoice'));
ALTER TABLE subscription ADD COLUMN daysUntilDue INTEGER
    CHECK ((daysUntilDue IS NULL) = (collectionMethod = 'charge_automatically')
        AND (daysUntilDue IS NULL OR daysUntilDue BETWEEN 0 AND 3650));

ALTER TABLE invoice ADD COLUMN collectionMethod TEXT NOT NULL DEFAULT 'charge_automatically'
    CHECK (collectionMethod IN ('charge_automatically', 'send_invoice'));
ALTER TABLE invoice ADD COLUMN dueDate INTEGER
    CHECK ((dueDate IS NULL) = (collectionMethod = 'charge_automatically'));

-- auto_advance: a subscription's drafts advance on their own (the billing run finalizes them);
-- a manual invoice does when it was created or finalized with it.
ALTER TABLE invoice ADD COLUMN autoAdvance INTEGER NOT NULL DEFAULT 0 CHECK (autoAdvance IN (0, 1));
UPDATE invoice SET autoAdvance = 1 WHERE subscriptionId IS NOT NULL;
