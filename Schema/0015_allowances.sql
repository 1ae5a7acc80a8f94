-- 0015 recurring credit allowances: each period of a subscription gets a grant of the
-- allowance's amount, effective at the period's start, that pays only that period's metered
-- usage (its coverage) and settles when that period's invoice finalizes: what it left unused
-- expires then, or, up to rolloverMax, becomes a new grant (rolledOverFrom naming its parent)
-- effective at that finalization and covering the next rolloverPeriods periods.
--
-- A grant's coverage is the subscription and the half-open range (coversAfter, coversThrough]
-- of service-period ends it may pay; a grant without coverage pays any of the customer's
-- subscription invoices, as before.
CREATE TABLE allowance (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    subscriptionId TEXT NOT NULL REFERENCES subscription(id),
    customerId TEXT NOT NULL REFERENCES customer(id),
    name TEXT,
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    amount INTEGER NOT NULL CHECK (amount > 0),
    category TEXT NOT NULL CHECK (category IN ('paid', 'promotional')),
    scopeType TEXT NOT NULL CHECK (scopeType IN ('metered', 'prices')),
    priority INTEGER NOT NULL CHECK (priority BETWEEN 0 AND 100),
    rolloverMax INTEGER CHECK (rolloverMax IS NULL OR rolloverMax > 0),
    rolloverPeriods INTEGER NOT NULL CHECK (rolloverPeriods BETWEEN 1 AND 12),
    status TEXT NOT NULL CHECK (status IN ('active', 'canceled')),
    canceledAt INTEGER CHECK ((canceledAt IS NULL) = (status = 'active')),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL
) STRICT;
CREATE INDEX allowance_subscription ON allowance(subscriptionId, status);
CREATE INDEX allowance_customer ON allowance(customerId);

CREATE TRIGGER allowance_fixed BEFORE UPDATE OF id, subscriptionId, customerId, currency, amount, category,
    scopeType, priority, rolloverMax, rolloverPeriods, created
ON allowance
BEGIN
    SELECT RAISE(ABORT, 'allowance terms are fixed after creation');
END;

-- The prices of an allowance scoped to prices (at most 20, all metered).
CREATE TABLE allowancePrice (
    allowanceId TEXT NOT NULL REFERENCES allowance(id),
    priceId TEXT NOT NULL REFERENCES price(id),
    PRIMARY KEY (allowanceId, priceId)
) STRICT, WITHOUT ROWID;

ALTER TABLE creditGrant ADD COLUMN allowanceId TEXT REFERENCES allowance(id);
ALTER TABLE creditGrant ADD COLUMN coversSubscriptionId TEXT REFERENCES subscription(id);
ALTER TABLE creditGrant ADD COLUMN coversAfter INTEGER;
ALTER TABLE creditGrant ADD COLUMN coversThrough INTEGER
    CHECK (coversThrough IS NULL OR coversThrough > coversAfter);
ALTER TABLE creditGrant ADD COLUMN rolledOverFrom TEXT REFERENCES creditGrant(id);

CREATE TRIGGER creditGrant_coverage_whole BEFORE INSERT ON creditGrant
WHEN (NEW.coversSubscriptionId IS NULL) <> (NEW.coversAfter IS NULL)
    OR (NEW.coversAfter IS NULL) <> (NEW.coversThrough IS NULL)
    OR (NEW.allowanceId IS NULL) <> (NEW.coversSubscriptionId IS NULL)
    OR (NEW.rolledOverFrom IS NOT NULL AND NEW.allowanceId IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a grant has a whole coverage (subscription and range) exactly when an allowance issued it');
END;

CREATE TRIGGER creditGrant_coverage_fixed BEFORE UPDATE OF allowanceId, coversSubscriptionId, coversAfter,
    coversThrough, rolledOverFrom
ON creditGrant
BEGIN
    SELECT RAISE(ABORT, 'credit grant terms are fixed after creation');
END;

-- The open (not yet settled) grants of a subscription's allowances, read at every finalization.
CREATE INDEX creditGrant_open_coverage ON creditGrant(coversSubscriptionId, coversThrough)
    WHERE coversSubscriptionId IS NOT NULL AND expiryBookedAt IS NULL AND voidedAt IS NULL;
CREATE INDEX creditGrant_allowance ON creditGrant(allowanceId) WHERE allowanceId IS NOT NULL;
