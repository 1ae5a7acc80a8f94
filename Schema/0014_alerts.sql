-- 0014 credit balance alerts (Stripe's billing.alert, credit_balance_threshold): each fires once
-- when the customer's credit balance in its currency falls to lte or below, and recovers once
-- when it rises above again, each crossing appended to the event feed at the instant the change
-- that crossed took effect.
--
-- The balance is the sum of the customer's credit balance transactions effective by an instant.
-- An alert has been judged through evaluatedThrough (triggered is its state then); nextCheckAt is
-- the earliest instant after that at which one of the customer's transactions in its currency
-- takes effect (a grant effective later): the billing run judges the alert then, as a step of its
-- own, and every write that books a transaction judges the customer's alerts through its instant.
CREATE TABLE alert (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    alertType TEXT NOT NULL CHECK (alertType = 'credit_balance_threshold'),
    currency TEXT NOT NULL,
    lte INTEGER NOT NULL CHECK (lte >= 0),
    title TEXT,
    status TEXT NOT NULL CHECK (status IN ('active', 'archived')),
    created INTEGER NOT NULL,
    archivedAt INTEGER CHECK ((archivedAt IS NULL) = (status = 'active')),
    triggered INTEGER NOT NULL CHECK (triggered IN (0, 1)),
    evaluatedThrough INTEGER NOT NULL,
    nextCheckAt INTEGER CHECK (nextCheckAt IS NULL OR nextCheckAt > evaluatedThrough)
) STRICT;
CREATE INDEX alert_customer ON alert(customerId, status);
CREATE INDEX alert_next ON alert(nextCheckAt) WHERE status = 'active' AND nextCheckAt IS NOT NULL;
