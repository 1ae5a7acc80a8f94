-- 0003 billing: subscriptions, invoices, invoice lines, invoice items, the invoice number counter.
--
-- Money columns are INTEGER minor units. Quantities are exact decimals as TEXT. Times are Unix
-- seconds. The CHECKs mirror SPEC §2.4–§2.5; the lifecycle itself (which transitions exist) is
-- enforced by the trigger invoice_transitions, so that no writer can skip it.

CREATE TABLE subscription (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'canceled')),
    billingMode TEXT NOT NULL CHECK (billingMode IN ('classic', 'flexible')),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    interval TEXT NOT NULL CHECK (interval IN ('day', 'week', 'month', 'year')),
    intervalCount INTEGER NOT NULL CHECK (intervalCount >= 1),
    startDate INTEGER NOT NULL,
    billingCycleAnchor INTEGER NOT NULL CHECK (billingCycleAnchor >= startDate),
    currentPeriodStart INTEGER NOT NULL,
    currentPeriodEnd INTEGER NOT NULL CHECK (currentPeriodEnd > currentPeriodStart),
    -- Seconds between a period's end and the finalization of its invoice (usage recorded late
    -- but timestamped inside the period still counts until then).
    graceSeconds INTEGER NOT NULL CHECK (graceSeconds BETWEEN 0 AND 2592000),
    cancelAtPeriodEnd INTEGER NOT NULL DEFAULT 0 CHECK (cancelAtPeriodEnd IN (0, 1)),
    canceledAt INTEGER,
    endedAt INTEGER,
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL,
    CHECK ((status = 'canceled') = (endedAt IS NOT NULL))
) STRICT;

CREATE INDEX subscription_customer ON subscription(customerId);
-- The billing run finds due periods by this index.
CREATE INDEX subscription_due ON subscription(status, currentPeriodEnd);

-- A subscription item: one price, with a quantity for licensed prices (none for metered).
CREATE TABLE subscriptionItem (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
    subscriptionId TEXT NOT NULL REFERENCES subscription(id),
    position INTEGER NOT NULL CHECK (position >= 0),
    priceId TEXT NOT NULL REFERENCES price(id),
    quantity INTEGER CHECK (quantity >= 0),
    created INTEGER NOT NULL,
    UNIQUE (subscriptionId, position),
    UNIQUE (subscriptionId, priceId)
) STRICT;

-- An invoice. number is assigned at finalization from invoiceCounter, gapless and never reused;
-- a draft has none. finalizesAt is when the billing run finalizes a subscription draft.
CREATE TABLE invoice (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    subscriptionId TEXT REFERENCES subscription(id),
    billingReason TEXT NOT NULL CHECK (billingReason IN
        ('subscription_create', 'subscription_cycle', 'subscription_cancel', 'manual')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    number TEXT UNIQUE,
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    periodStart INTEGER NOT NULL,
    periodEnd INTEGER NOT NULL CHECK (periodEnd >= periodStart),
    description TEXT,
    subtotal INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    amountDue INTEGER NOT NULL DEFAULT 0 CHECK (amountDue >= 0),
    amountPaid INTEGER NOT NULL DEFAULT 0 CHECK (amountPaid >= 0),
    amountRemaining INTEGER NOT NULL DEFAULT 0 CHECK (amountRemaining >= 0),
    finalizesAt INTEGER,
    finalizedAt INTEGER,
    paidAt INTEGER,
    voidedAt INTEGER,
    markedUncollectibleAt INTEGER,
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL,
    CHECK ((status = 'draft') = (number IS NULL)),
    CHECK ((status = 'draft') = (finalizedAt IS NULL)),
    CHECK ((status = 'paid') = (paidAt IS NOT NULL)),
    CHECK ((status = 'void') = (voidedAt IS NOT NULL)),
    CHECK (status = 'draft' OR amountDue = amountPaid + amountRemaining),
    CHECK ((billingReason = 'manual') = (subscriptionId IS NULL))
) STRICT;

CREATE INDEX invoice_customer ON invoice(customerId, created);
CREATE INDEX invoice_subscription ON invoice(subscriptionId, periodEnd);
CREATE INDEX invoice_finalizes ON invoice(status, finalizesAt);

-- Exactly the transitions of SPEC §2.5: draft → open|paid (finalize), open → paid|void|
-- uncollectible, uncollectible → paid|void. Nothing leaves paid or void.
CREATE TRIGGER invoice_transitions BEFORE UPDATE OF status ON invoice
WHEN OLD.status != NEW.status AND NOT (
    (OLD.status = 'draft' AND NEW.status IN ('open', 'paid'))
    OR (OLD.status = 'open' AND NEW.status IN ('paid', 'void', 'uncollectible'))
    OR (OLD.status = 'uncollectible' AND NEW.status IN ('paid', 'void')))
BEGIN
    SELECT RAISE(ABORT, 'invalid_transition: invoice status cannot change this way');
END;

-- A finalized invoice's amounts and number are frozen.
CREATE TRIGGER invoice_frozen BEFORE UPDATE OF customerId, subscriptionId, number, currency,
    periodStart, periodEnd, subtotal, total, amountDue, finalizedAt
ON invoice
WHEN OLD.status != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'invoice_not_editable: a finalized invoice cannot change');
END;

CREATE TRIGGER invoice_delete_draft_only BEFORE DELETE ON invoice
WHEN OLD.status != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'invalid_transition: only a draft invoice can be deleted');
END;

-- One line of an invoice: a subscription item's period (licensed in advance, metered in arrears)
-- or an invoice item. For metered lines, meterSeq/customerSeq name the usage they bill.
CREATE TABLE invoiceLine (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
    invoiceId TEXT NOT NULL REFERENCES invoice(id),
    position INTEGER NOT NULL CHECK (position >= 0),
    type TEXT NOT NULL CHECK (type IN ('subscription', 'invoiceitem')),
    priceId TEXT REFERENCES price(id),
    subscriptionItemId TEXT REFERENCES subscriptionItem(id),
    invoiceItemId TEXT,
    meterSeq INTEGER REFERENCES meter(seq),
    customerSeq INTEGER REFERENCES customer(seq),
    description TEXT,
    quantityDecimal TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    periodStart INTEGER NOT NULL,
    periodEnd INTEGER NOT NULL CHECK (periodEnd >= periodStart),
    UNIQUE (invoiceId, position),
    CHECK ((type = 'subscription') = (subscriptionItemId IS NOT NULL)),
    CHECK ((type = 'invoiceitem') = (invoiceItemId IS NOT NULL)),
    CHECK ((meterSeq IS NULL) = (customerSeq IS NULL))
) STRICT;

-- Late-usage and already-invoiced checks look up finalized metered periods by this index.
CREATE INDEX invoiceLine_usage ON invoiceLine(customerSeq, meterSeq, periodStart)
    WHERE meterSeq IS NOT NULL;

CREATE TRIGGER invoiceLine_frozen_update BEFORE UPDATE ON invoiceLine
WHEN (SELECT status FROM invoice WHERE id = OLD.invoiceId) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'invoice_not_editable: lines of a finalized invoice cannot change');
END;
CREATE TRIGGER invoiceLine_frozen_insert BEFORE INSERT ON invoiceLine
WHEN (SELECT status FROM invoice WHERE id = NEW.invoiceId) != 'draft'
BEGIN
    SELECT RAISE(ABORT, 'invoice_not_editable: lines of a finalized invoice cannot change');
END;
CREATE TRIGGER invoiceLine_frozen_delete BEFORE DELETE ON invoiceLine
WHEN (SELECT status FROM invoice WHERE id = OLD.invoiceId) IS NOT 'draft'
    AND (SELECT status FROM invoice WHERE id = OLD.invoiceId) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'invoice_not_editable: lines of a finalized invoice cannot change');
END;

-- An invoice item: a one-off amount for a customer. invoiceId NULL means pending: it joins the
-- customer's next subscription invoice in its currency, or a manual invoice that includes pending
-- items.
CREATE TABLE invoiceItem (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    customerId TEXT NOT NULL REFERENCES customer(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    unitAmountDecimal TEXT,
    quantityDecimal TEXT NOT NULL,
    description TEXT,
    subscriptionId TEXT REFERENCES subscription(id),
    invoiceId TEXT REFERENCES invoice(id),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL
) STRICT;

CREATE INDEX invoiceItem_pending ON invoiceItem(customerId, currency) WHERE invoiceId IS NULL;

-- The next invoice number. Incremented only inside a finalization's transaction, so numbers are
-- gapless and never reused, whatever runs concurrently.
CREATE TABLE invoiceCounter (
    name TEXT PRIMARY KEY NOT NULL,
    next INTEGER NOT NULL CHECK (next >= 1)
) STRICT;
INSERT INTO invoiceCounter (name, next) VALUES ('invoice', 1);

-- For each customer and meter, the end of the latest finalized metered period: an event
-- timestamped before it may be late (then checked exactly against invoiceLine).
CREATE TABLE meterBilledThrough (
    customerSeq INTEGER NOT NULL REFERENCES customer(seq),
    meterSeq INTEGER NOT NULL REFERENCES meter(seq),
    billedThrough INTEGER NOT NULL,
    PRIMARY KEY (customerSeq, meterSeq)
) STRICT, WITHOUT ROWID;
