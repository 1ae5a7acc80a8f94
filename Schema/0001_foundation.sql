-- 0001 foundation: customers, products, meters, prices with their tiers, and the journal.
--
-- Conventions: tables are singular camelCase, every table is STRICT with an explicit primary key.
-- Times are Unix seconds (INTEGER). Money is INTEGER minor units; exact decimals (unit amounts,
-- quantities) are TEXT in canonical form ("0.05", "3000"), never REAL, so nothing is rounded by
-- storage. metadata is a JSON object of strings.
-- This file is frozen once shipped: later changes go in a new numbered file.

-- seq is a compact integer key that high-volume tables (meter events) reference instead of the
-- text ID, so their indexes stay small; id is the public, possibly caller-supplied, identifier.
CREATE TABLE customer (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    name TEXT,
    email TEXT,
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL
) STRICT;

CREATE TABLE product (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
    name TEXT NOT NULL CHECK (length(name) > 0),
    description TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL
) STRICT;

-- A meter aggregates usage events by event name. Only displayName may change after creation
-- (enforced by the trigger below), because invoices already billed depend on the rest.
CREATE TABLE meter (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 1 AND 255),
    displayName TEXT NOT NULL CHECK (length(displayName) > 0),
    eventName TEXT NOT NULL UNIQUE CHECK (length(eventName) > 0),
    aggregation TEXT NOT NULL CHECK (aggregation IN ('sum', 'count', 'last', 'max')),
    customerKey TEXT NOT NULL CHECK (length(customerKey) > 0),
    valueKey TEXT NOT NULL CHECK (length(valueKey) > 0),
    status TEXT NOT NULL CHECK (status IN ('active', 'inactive')),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL
) STRICT;

CREATE TRIGGER meter_fixed_terms BEFORE UPDATE OF seq, id, eventName, aggregation, customerKey, valueKey
ON meter
BEGIN
    SELECT RAISE(ABORT, 'meter terms are fixed after creation');
END;

-- A price. The CHECKs mirror SPEC §2.3: recurring fields exist exactly for recurring prices;
-- metered prices have a meter and licensed ones none; per_unit has a unit amount and tiered a
-- tiers mode; transform_quantity only with per_unit; interval at most three years.
CREATE TABLE price (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
    productId TEXT NOT NULL REFERENCES product(id),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    lookupKey TEXT CHECK (length(lookupKey) BETWEEN 1 AND 200),
    nickname TEXT,
    type TEXT NOT NULL CHECK (type IN ('one_time', 'recurring')),
    recurringInterval TEXT CHECK (recurringInterval IN ('day', 'week', 'month', 'year')),
    recurringIntervalCount INTEGER,
    usageType TEXT CHECK (usageType IN ('licensed', 'metered')),
    meterId TEXT REFERENCES meter(id),
    billingScheme TEXT NOT NULL CHECK (billingScheme IN ('per_unit', 'tiered')),
    unitAmountDecimal TEXT,
    transformDivideBy INTEGER CHECK (transformDivideBy > 0),
    transformRound TEXT CHECK (transformRound IN ('up', 'down')),
    tiersMode TEXT CHECK (tiersMode IN ('graduated', 'volume')),
    metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
    created INTEGER NOT NULL,
    CHECK ((type = 'recurring') = (recurringInterval IS NOT NULL)),
    CHECK ((recurringInterval IS NULL) = (recurringIntervalCount IS NULL)),
    CHECK ((recurringInterval IS NULL) = (usageType IS NULL)),
    CHECK (recurringIntervalCount IS NULL OR recurringIntervalCount BETWEEN 1 AND
        CASE recurringInterval WHEN 'day' THEN 1095 WHEN 'week' THEN 156
            WHEN 'month' THEN 36 WHEN 'year' THEN 3 END),
    CHECK ((usageType IS 'metered') = (meterId IS NOT NULL)),
    CHECK ((billingScheme = 'per_unit') = (unitAmountDecimal IS NOT NULL)),
    CHECK ((billingScheme = 'tiered') = (tiersMode IS NOT NULL)),
    CHECK ((transformDivideBy IS NULL) = (transformRound IS NULL)),
    CHECK (transformDivideBy IS NULL OR billingScheme = 'per_unit')
) STRICT;

-- lookup_key is unique among active prices only: an archived price frees its key.
CREATE UNIQUE INDEX price_lookupKey_active ON price(lookupKey)
    WHERE active = 1 AND lookupKey IS NOT NULL;
CREATE INDEX price_productId ON price(productId);

-- Amounts, tiers, recurring terms and transform are fixed after creation (archive and create anew).
CREATE TRIGGER price_fixed_terms BEFORE UPDATE OF productId, currency, type, recurringInterval,
    recurringIntervalCount, usageType, meterId, billingScheme, unitAmountDecimal,
    transformDivideBy, transformRound, tiersMode
ON price
BEGIN
    SELECT RAISE(ABORT, 'price terms are fixed after creation');
END;

-- One tier of a tiered price, in order. upTo NULL is "inf" (the last tier). A tier has at
-- least one of its two amounts (Stripe).
CREATE TABLE priceTier (
    priceId TEXT NOT NULL REFERENCES price(id),
    position INTEGER NOT NULL CHECK (position >= 0),
    upTo INTEGER CHECK (upTo > 0),
    unitAmountDecimal TEXT,
    flatAmountDecimal TEXT,
    PRIMARY KEY (priceId, position),
    CHECK (unitAmountDecimal IS NOT NULL OR flatAmountDecimal IS NOT NULL)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER priceTier_append_only BEFORE UPDATE ON priceTier
BEGIN
    SELECT RAISE(ABORT, 'price tiers are fixed after creation');
END;

-- The double-entry journal. An entry is written as: its postings first, then the entry row.
-- The entry's BEFORE INSERT trigger then proves the invariant in SQL: at least two postings,
-- each currency summing to zero, all at the entry's instant. A posting can never be added to an
-- entry that exists, and neither table accepts UPDATE or DELETE: the journal is append-only and a
-- correction is a new, reversing entry.
CREATE TABLE journalEntry (
    id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 255),
    postedAt INTEGER NOT NULL,
    description TEXT NOT NULL,
    sourceType TEXT NOT NULL,
    sourceId TEXT NOT NULL,
    created INTEGER NOT NULL
) STRICT;

CREATE INDEX journalEntry_source ON journalEntry(sourceType, sourceId);
CREATE INDEX journalEntry_postedAt ON journalEntry(postedAt);

-- account: a colon hierarchy under one of the five roots (sign: debit > 0, credit < 0).
CREATE TABLE posting (
    entryId TEXT NOT NULL REFERENCES journalEntry(id) DEFERRABLE INITIALLY DEFERRED,
    position INTEGER NOT NULL CHECK (position >= 0),
    account TEXT NOT NULL CHECK (
        (account GLOB 'assets:*' OR account GLOB 'liabilities:*' OR account GLOB 'equity:*'
            OR account GLOB 'revenue:*' OR account GLOB 'expenses:*')
        AND account NOT GLOB '*::*' AND account NOT GLOB '*:' AND account NOT GLOB '* *'),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = lower(currency)),
    amountMinor INTEGER NOT NULL,
    postedAt INTEGER NOT NULL,
    PRIMARY KEY (entryId, position)
) STRICT, WITHOUT ROWID;

-- Balances of an account (or a subtree, by prefix) as of an instant read this index only.
CREATE INDEX posting_account ON posting(account, currency, postedAt, amountMinor);

CREATE TRIGGER posting_before_entry BEFORE INSERT ON posting
WHEN EXISTS (SELECT 1 FROM journalEntry WHERE id = NEW.entryId)
BEGIN
    SELECT RAISE(ABORT, 'unbalanced_entry: postings cannot be added to an existing entry');
END;

CREATE TRIGGER journalEntry_balanced BEFORE INSERT ON journalEntry
WHEN (SELECT count(*) FROM posting WHERE entryId = NEW.id) < 2
    OR EXISTS (SELECT 1 FROM posting WHERE entryId = NEW.id
               GROUP BY currency HAVING sum(amountMinor) != 0)
    OR EXISTS (SELECT 1 FROM posting WHERE entryId = NEW.id AND postedAt != NEW.postedAt)
BEGIN
    SELECT RAISE(ABORT, 'unbalanced_entry: postings must number two or more and sum to zero per currency');
END;

CREATE TRIGGER journalEntry_no_update BEFORE UPDATE ON journalEntry
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER journalEntry_no_delete BEFORE DELETE ON journalEntry
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER posting_no_update BEFORE UPDATE ON posting
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
CREATE TRIGGER posting_no_delete BEFORE DELETE ON posting
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only');
END;
