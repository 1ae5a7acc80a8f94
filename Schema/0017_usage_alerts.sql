-- 0017 usage alerts (Stripe's billing.alert of type usage_threshold): an alert on a customer's
-- usage of a meter fires once when the usage of the customer's current billing period (the
-- period of its active subscription that bills the meter) reaches gte, and recovers once when a
-- cancelled event takes it below again in that period. per_period starts again each period;
-- one_time (Stripe's only recurrence) fires once ever. periodStart is the period the state
-- (triggered) is for. The alert table is rebuilt: SQLite cannot relax a CHECK in place.
CREATE TABLE alertNew (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    alertType TEXT NOT NULL CHECK (alertType IN ('credit_balance_threshold', 'usage_threshold')),
    currency TEXT,
    lte INTEGER CHECK (lte IS NULL OR lte >= 0),
    meterId TEXT REFERENCES meter(id),
    gte TEXT,
    recurrence TEXT CHECK (recurrence IS NULL OR recurrence IN ('one_time', 'per_period')),
    periodStart INTEGER,
    title TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    created INTEGER NOT NULL,
    archivedAt INTEGER CHECK ((archivedAt IS NULL) = (status = 'active')),
    triggered INTEGER NOT NULL CHECK (triggered IN (0, 1)),
    evaluatedThrough INTEGER NOT NULL,
    nextCheckAt INTEGER CHECK (nextCheckAt IS NULL OR nextCheckAt > evaluatedThrough),
    CHECK ((alertType = 'credit_balance_threshold') = (currency IS NOT NULL AND lte IS NOT NULL)),
    CHECK ((alertType = 'usage_threshold') = (meterId IS NOT NULL AND gte IS NOT NULL AND recurrence IS NOT NULL))
) STRICT;
INSERT INTO alertNew (seq, id, customerId, alertType, currency, lte, title, status, created, archivedAt, triggered,
    evaluatedThrough, nextCheckAt)
    SELECT seq, id, customerId, alertType, currency, lte, title, status, created, archivedAt, triggered,
        evaluatedThrough, nextCheckAt FROM alert;
DROP TABLE alert;
ALTER TABLE alertNew RENAME TO alert;
CREATE INDEX alert_customer ON alert(customerId, status);
CREATE INDEX alert_next ON alert(nextCheckAt) WHERE status = 'active' AND nextCheckAt IS NOT NULL;
-- What every event write reads once: whether any usage alert is active.
CREATE INDEX alert_usage ON alert(customerId, meterId) WHERE alertType = 'usage_threshold' AND status = 'active';
