-- 0009 grant totals: each grant keeps the running sums of its balance transactions.
--
-- A balance as of an instant is still the sum of the transactions effective by then (0005); the
-- grant row now also holds those sums over all its transactions, by kind, and the latest instant
-- any of them takes effect. A read as of an instant at or after that one (every read of now or
-- later, which is nearly every read) takes the sums from the row: one row per grant, whatever
-- its history. A read of an earlier instant sums the transactions as before. The sums are
-- written only by the trigger below, in the transaction that appends the movement, and
-- `ledger verify` checks them against the transactions.

ALTER TABLE creditGrant ADD COLUMN totalGranted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE creditGrant ADD COLUMN totalApplied INTEGER NOT NULL DEFAULT 0;
ALTER TABLE creditGrant ADD COLUMN totalReinstated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE creditGrant ADD COLUMN totalExpired INTEGER NOT NULL DEFAULT 0;
ALTER TABLE creditGrant ADD COLUMN totalVoided INTEGER NOT NULL DEFAULT 0;
ALTER TABLE creditGrant ADD COLUMN lastEffectiveAt INTEGER;

UPDATE creditGrant SET
    totalGranted = (SELECT coalesce(sum(amount), 0) FROM creditBalanceTransaction t
        WHERE t.grantId = creditGrant.id AND t.kind = 'credits_granted'),
    totalApplied = (SELECT coalesce(sum(amount), 0) FROM creditBalanceTransaction t
        WHERE t.grantId = creditGrant.id AND t.kind = 'credits_applied'),
    totalReinstated = (SELECT coalesce(sum(amount), 0) FROM creditBalanceTransaction t
        WHERE t.grantId = creditGrant.id AND t.kind = 'credits_application_invoice_voided'),
    totalExpired = (SELECT coalesce(sum(amount), 0) FROM creditBalanceTransaction t
        WHERE t.grantId = creditGrant.id AND t.kind = 'credits_expired'),
    totalVoided = (SELECT coalesce(sum(amount), 0) FROM creditBalanceTransaction t
        WHERE t.grantId = creditGrant.id AND t.kind = 'credits_voided'),
    lastEffectiveAt = (SELECT max(effectiveAt) FROM creditBalanceTransaction t WHERE t.grantId = creditGrant.id);

CREATE TRIGGER creditBalanceTransaction_totals AFTER INSERT ON creditBalanceTransaction
BEGIN
    UPDATE creditGrant SET
        totalGranted = totalGranted + (CASE NEW.kind WHEN 'credits_granted' THEN NEW.amount ELSE 0 END),
        totalApplied = totalApplied + (CASE NEW.kind WHEN 'credits_applied' THEN NEW.amount ELSE 0 END),
        totalReinstated = totalReinstated
            + (CASE NEW.kind WHEN 'credits_application_invoice_voided' THEN NEW.amount ELSE 0 END),
        totalExpired = totalExpired + (CASE NEW.kind WHEN 'credits_expired' THEN NEW.amount ELSE 0 END),
        totalVoided = totalVoided + (CASE NEW.kind WHEN 'credits_voided' THEN NEW.amount ELSE 0 END),
        lastEffectiveAt = max(coalesce(lastEffectiveAt, NEW.effectiveAt), NEW.effectiveAt)
    WHERE id = NEW.grantId;
END;

-- The balance check of a debit reads the sums too when no transaction of the grant takes effect
-- after the debit's instant.
DROP TRIGGER creditBalanceTransaction_not_negative;
CREATE TRIGGER creditBalanceTransaction_not_negative BEFORE INSERT ON creditBalanceTransaction
WHEN NEW.type = 'debit' AND (
    SELECT CASE WHEN g.lastEffectiveAt IS NULL OR g.lastEffectiveAt <= NEW.effectiveAt
        THEN g.totalGranted + g.totalReinstated - g.totalApplied - g.totalExpired - g.totalVoided
        ELSE (SELECT coalesce(sum(CASE type WHEN 'credit' THEN amount ELSE -amount END), 0)
            FROM creditBalanceTransaction WHERE grantId = NEW.grantId AND effectiveAt <= NEW.effectiveAt)
        END
    FROM creditGrant g WHERE g.id = NEW.grantId
) < NEW.amount
BEGIN
    SELECT RAISE(ABORT, 'credit_balance_negative: a debit exceeds the grant''s balance');
END;
