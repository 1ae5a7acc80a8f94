-- 0005 credits: credit grants, their scope, and credit balance transactions.
--
-- A grant's balance is never stored: it is the sum of its balance transactions (credits add,
-- debits take) effective at or before the instant asked, so a balance "as of" any instant is a
-- query, and expiry at expiresAt is exact whether or not anything ran then (an expiry not yet
-- booked is subtracted on read). Transactions are append-only.

CREATE TABLE creditGrant (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    name TEXT,
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    amount INTEGER NOT NULL CHECK (amount > 0),
    category TEXT NOT NULL CHECK (category IN ('paid', 'promotional')),
    scopeType TEXT NOT NULL CHECK (scopeType IN ('metered', 'prices')),
    priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 100),
    effectiveAt INTEGER NOT NULL,
    expiresAt INTEGER CHECK (expiresAt IS NULL OR expiresAt > effectiveAt),
    voidedAt INTEGER,
    -- When the remaining balance was booked as expired (the billing run at expiresAt, or
    -- `grants expire`); NULL while not booked.
    expiryBookedAt INTEGER,
    costBasis INTEGER CHECK (costBasis IS NULL OR costBasis >= 0),
    fundingInvoiceId TEXT REFERENCES invoice(id),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL,
    CHECK (category = 'paid' OR costBasis IS NULL)
) STRICT;

CREATE INDEX creditGrant_customer ON creditGrant(customerId, currency);
-- The billing run books expiries by this index.
CREATE INDEX creditGrant_expiry ON creditGrant(expiresAt) WHERE expiryBookedAt IS NULL AND voidedAt IS NULL;

-- Amounts, currency, category, scope, priority and effective date never change (Stripe: only
-- expires_at and metadata can be updated).
CREATE TRIGGER creditGrant_fixed BEFORE UPDATE OF id, customerId, currency, amount, category, scopeType,
    priority, effectiveAt, costBasis, fundingInvoiceId
ON creditGrant
BEGIN
    SELECT RAISE(ABORT, 'credit grant terms are fixed after creation');
END;

-- The prices of a grant scoped to prices (at most 20, all metered).
CREATE TABLE creditGrantPrice (
    grantId TEXT NOT NULL REFERENCES creditGrant(id),
    priceId TEXT NOT NULL REFERENCES price(id),
    PRIMARY KEY (grantId, priceId)
) STRICT, WITHOUT ROWID;

CREATE TABLE creditBalanceTransaction (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    grantId TEXT NOT NULL REFERENCES creditGrant(id),
    customerId TEXT NOT NULL REFERENCES customer(id),
    type TEXT NOT NULL CHECK (type IN ('credit', 'debit')),
    kind TEXT NOT NULL CHECK (kind IN ('credits_granted', 'credits_applied', 'credits_expired',
        'credits_voided', 'credits_application_invoice_voided')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    effectiveAt INTEGER NOT NULL,
    invoiceId TEXT REFERENCES invoice(id),
    invoiceLineId TEXT REFERENCES invoiceLine(id),
    created INTEGER NOT NULL,
    CHECK ((type = 'credit') = (kind IN ('credits_granted', 'credits_application_invoice_voided'))),
    CHECK ((kind IN ('credits_applied', 'credits_application_invoice_voided')) = (invoiceLineId IS NOT NULL))
) STRICT;

CREATE INDEX creditBalanceTransaction_grant ON creditBalanceTransaction(grantId, effectiveAt);
CREATE INDEX creditBalanceTransaction_customer ON creditBalanceTransaction(customerId, effectiveAt);
CREATE INDEX creditBalanceTransaction_invoice ON creditBalanceTransaction(invoiceId) WHERE invoiceId IS NOT NULL;

-- A grant's balance never goes below zero, at any effective instant: every debit is checked
-- against the balance effective at its own instant.
CREATE TRIGGER creditBalanceTransaction_not_negative BEFORE INSERT ON creditBalanceTransaction
WHEN NEW.type = 'debit' AND (
    SELECT coalesce(sum(CASE type WHEN 'credit' THEN amount ELSE -amount END), 0)
    FROM creditBalanceTransaction WHERE grantId = NEW.grantId AND effectiveAt <= NEW.effectiveAt
) < NEW.amount
BEGIN
    SELECT RAISE(ABORT, 'credit_balance_negative: a debit exceeds the grant''s balance');
END;

CREATE TRIGGER creditBalanceTransaction_no_update BEFORE UPDATE ON creditBalanceTransaction
BEGIN
    SELECT RAISE(ABORT, 'credit balance transactions are append-only');
END;
CREATE TRIGGER creditBalanceTransaction_no_delete BEFORE DELETE ON creditBalanceTransaction
BEGIN
    SELECT RAISE(ABORT, 'credit balance transactions are append-only');
END;

-- Applications on an invoice line, for the invoice's `pretax_credit_amounts`.
-- (They are the credits_applied transactions; this view names them per line.)
CREATE VIEW invoiceLineCredit AS
    SELECT invoiceLineId, invoiceId, grantId, id AS transactionId, amount
    FROM creditBalanceTransaction WHERE kind = 'credits_applied';
