-- 0006 the clock and invoices that cannot be finalized.
--
-- The clock only moves forward (Stripe's test clocks): processedThrough is the latest instant a
-- time-dependent write has run at (a billing step, a recorded event, a grant, an invoice). A
-- write at an earlier instant would rewrite what that instant already decided, and is refused
-- (clock_regression) unless the caller overrides it explicitly.
CREATE TABLE ledgerClock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    processedThrough INTEGER NOT NULL
) STRICT;
INSERT INTO ledgerClock (id, processedThrough)
SELECT 1, coalesce(max(at), -9223372036854775808) FROM (
    SELECT max(recordedAt) AS at FROM meterEvent
    UNION ALL SELECT max(finalizedAt) FROM invoice
    UNION ALL SELECT max(created) FROM invoice
    UNION ALL SELECT max(created) FROM creditBalanceTransaction
    UNION ALL SELECT max(created) FROM subscription
);

-- A draft whose amounts do not fit (a line beyond 64-bit minor units) stays a draft with its
-- reason, and the billing run goes on with everyone else. failedAt is the scheduled instant at
-- which its finalization failed: the run does not retry it (an explicit finalize may).
ALTER TABLE invoice ADD COLUMN failureCode TEXT;
ALTER TABLE invoice ADD COLUMN failureMessage TEXT;
ALTER TABLE invoice ADD COLUMN failedAt INTEGER;

CREATE TRIGGER invoice_failure_draft_only BEFORE UPDATE OF failedAt ON invoice
WHEN NEW.failedAt IS NOT NULL AND OLD.status != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'invalid_transition: only a draft can fail to finalize');
END;
