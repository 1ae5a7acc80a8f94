-- 0018 the customer key: every row that belongs to a customer names the customer (customerId),
-- also in the tables that reached it only through a parent (an item through its subscription,
-- a line through its invoice, a posting through its entry) or by its compact seq (meter events,
-- billed-through marks). A distributed PostgreSQL (Citus) shards the ledger by this column, and
-- each business operation then touches one shard (README, "PostgreSQL"); the same SQL writes it
-- on both backends. Rows of the ledger's own (a journal entry posted without a customer) have ''.
ALTER TABLE subscriptionItem ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE subscriptionItemQuantity ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE invoiceLine ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE allowancePrice ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE creditGrantPrice ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE topUpRulePrice ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE meterEvent ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE meterBilledThrough ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE journalEntry ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE posting ADD COLUMN customerId TEXT NOT NULL DEFAULT '';
ALTER TABLE feedEvent ADD COLUMN customerId TEXT NOT NULL DEFAULT '';

-- The rows already written get their customer. The journal and the lines of finalized invoices
-- refuse updates: their triggers are set aside for this one statement each, then made again as
-- they were (0001, 0003).
UPDATE subscriptionItem SET customerId = (SELECT s.customerId FROM subscription s WHERE s.id = subscriptionId);
UPDATE subscriptionItemQuantity SET customerId = (SELECT i.customerId FROM subscriptionItem i WHERE i.id = itemId);
UPDATE allowancePrice SET customerId = (SELECT a.customerId FROM allowance a WHERE a.id = allowanceId);
UPDATE creditGrantPrice SET customerId = (SELECT g.customerId FROM creditGrant g WHERE g.id = grantId);
UPDATE topUpRulePrice SET customerId = (SELECT r.customerId FROM topUpRule r WHERE r.id = ruleId);
UPDATE meterEvent SET customerId = (SELECT c.id FROM customer c WHERE c.seq = customerSeq);
UPDATE meterBilledThrough SET customerId = (SELECT c.id FROM customer c WHERE c.seq = customerSeq);
UPDATE feedEvent SET customerId = coalesce(CASE objectType
    WHEN 'customer' THEN objectId
    WHEN 'subscription' THEN (SELECT s.customerId FROM subscription s WHERE s.id = objectId)
    WHEN 'invoice' THEN coalesce((SELECT i.customerId FROM invoice i WHERE i.id = objectId),
        json_extract(object, '$.customer'))
    WHEN 'credit_grant' THEN (SELECT g.customerId FROM creditGrant g WHERE g.id = objectId)
    WHEN 'alert' THEN (SELECT a.customerId FROM alert a WHERE a.id = objectId)
END, '');

DROP TRIGGER invoiceLine_frozen_update;
UPDATE invoiceLine SET customerId = (SELECT i.customerId FROM invoice i WHERE i.id = invoiceId);
CREATE TRIGGER invoiceLine_frozen_update BEFORE UPDATE ON invoiceLine
WHEN (SELECT status FROM invoice WHERE id = OLD.invoiceId) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'invoice_not_editable: lines of a finalized invoice cannot change');
END;

DROP TRIGGER journalEntry_no_update;
UPDATE journalEntry SET customerId = coalesce(CASE
    WHEN sourceType LIKE 'invoice.%' THEN (SELECT i.customerId FROM invoice i WHERE i.id = sourceId)
    WHEN sourceType LIKE 'credit_grant.%' THEN (SELECT g.customerId FROM creditGrant g WHERE g.id = sourceId)
END, '');
CREATE TRIGGER journalEntry_no_update BEFORE UPDATE ON journalEntry
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

DROP TRIGGER posting_no_update;
UPDATE posting SET customerId = (SELECT e.customerId FROM journalEntry e WHERE e.id = entryId);
CREATE TRIGGER posting_no_update BEFORE UPDATE ON posting
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;

-- The upserts name the customer key in their conflict target, as the distributed schema's keys do.
CREATE UNIQUE INDEX subscriptionItemQuantity_customer
    ON subscriptionItemQuantity(customerId, itemId, effectiveFrom);
CREATE UNIQUE INDEX meterBilledThrough_customer ON meterBilledThrough(customerId, customerSeq, meterSeq);

-- A child row names its parent's customer: the key is never out of step with the rows it shards.
CREATE TRIGGER subscriptionItem_customer BEFORE INSERT ON subscriptionItem
WHEN NEW.customerId IS NOT (SELECT customerId FROM subscription WHERE id = NEW.subscriptionId)
BEGIN
    SELECT RAISE(ABORT, 'a row names another customer than its parent');
END;
CREATE TRIGGER subscriptionItemQuantity_customer BEFORE INSERT ON subscriptionItemQuantity
WHEN NEW.customerId IS NOT (SELECT customerId FROM subscriptionItem WHERE id = NEW.itemId)
BEGIN
    SELECT RAISE(ABORT, 'a row names another customer than its parent');
END;
CREATE TRIGGER invoiceLine_customer BEFORE INSERT ON invoiceLine
WHEN NEW.customerId IS NOT (SELECT customerId FROM invoice WHERE id = NEW.invoiceId)
BEGIN
    SELECT RAISE(ABORT, 'a row names another customer than its parent');
END;
CREATE TRIGGER journalEntry_one_customer BEFORE INSERT ON journalEntry
WHEN EXISTS (SELECT 1 FROM posting WHERE entryId = NEW.id AND customerId != NEW.customerId)
BEGIN
    SELECT RAISE(ABORT, 'unbalanced_entry: the postings of an entry name its customer');
END;
