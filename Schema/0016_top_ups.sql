-- 0016 auto top-ups: a rule buys a customer a paid grant each time their credit balance in a
-- currency crosses down to the threshold or below (from above it), in the same transaction as
-- the change that crossed: a funding invoice (one invoice item for the cost basis, finalized)
-- and a paid grant tied to it, effective at once (grantOn 'issue') or when the invoice is paid
-- ('payment'). The rule keeps the balance's state as of the instant it was last judged
-- (below, evaluatedThrough), like an alert (0014): every write that books credit judges it.
CREATE TABLE topUpRule (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    threshold INTEGER NOT NULL CHECK (threshold >= 0),
    amount INTEGER CHECK (amount IS NULL OR amount > 0),
    target INTEGER CHECK (target IS NULL OR target > threshold),
    costBasis INTEGER CHECK (costBasis IS NULL OR costBasis > 0),
    expiresAfterDays INTEGER CHECK (expiresAfterDays IS NULL OR expiresAfterDays BETWEEN 1 AND 3650),
    maxPerMonth INTEGER CHECK (maxPerMonth IS NULL OR maxPerMonth >= 1),
    scopeType TEXT NOT NULL CHECK (scopeType IN ('metered', 'prices')),
    grantOn TEXT NOT NULL CHECK (grantOn IN ('issue', 'payment')),
    status TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    disabledAt INTEGER CHECK ((disabledAt IS NULL) = (status = 'active')),
    disabledReason TEXT,
    below INTEGER NOT NULL CHECK (below IN (0, 1)),
    evaluatedThrough INTEGER NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL,
    CHECK ((amount IS NULL) <> (target IS NULL)),
    CHECK (target IS NULL OR costBasis IS NULL)
) STRICT;
CREATE INDEX topUpRule_customer ON topUpRule(customerId, status);

CREATE TABLE topUpRulePrice (
    ruleId TEXT NOT NULL REFERENCES topUpRule(id),
    priceId TEXT NOT NULL REFERENCES price(id),
    PRIMARY KEY (ruleId, priceId)
) STRICT, WITHOUT ROWID;

-- Each top-up a rule made: one per crossing (the UNIQUE key), whatever the processes.
CREATE TABLE topUp (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    ruleId TEXT NOT NULL REFERENCES topUpRule(id),
    customerId TEXT NOT NULL REFERENCES customer(id),
    crossedAt INTEGER NOT NULL,
    balance INTEGER NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    costBasis INTEGER NOT NULL CHECK (costBasis > 0),
    invoiceId TEXT NOT NULL UNIQUE REFERENCES invoice(id),
    grantId TEXT UNIQUE REFERENCES creditGrant(id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'granted', 'canceled')),
    created INTEGER NOT NULL,
    UNIQUE (ruleId, crossedAt),
    CHECK ((grantId IS NOT NULL) = (status = 'granted'))
) STRICT;
CREATE INDEX topUp_rule ON topUp(ruleId, created);
