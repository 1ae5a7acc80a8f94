-- 0002 metering: meter events (usage).
--
-- One row per accepted event. seq (the rowid) is the recording order, which breaks timestamp
-- ties for the `last` aggregation. Events reference the customer and meter by their compact
-- integer seq so the usage index stays small: this table is the one that grows to millions of
-- rows, and its insert speed is bounded by index maintenance.
-- The value is an exact decimal stored as significand and scale (value = significand × 10^-scale,
-- at most 15 significant digits and 12 fractional digits, so both fit 64 bits); it is summed
-- exactly in code, never as REAL by SQL.
-- identifier is unique forever (Stripe): a re-sent event is recognized, never counted twice.
-- Uniqueness is proved by a trigger over a compact index on identifierHash (64-bit FNV-1a of the
-- identifier's UTF-8 bytes, computed by the ledger) rather than by a UNIQUE index on the text:
-- client identifiers are random (UUIDs), so every insert lands at a random place in that index,
-- and an 8-byte key makes the index about three times smaller, so a batch dirties far fewer pages.
-- A hash collision is harmless: the trigger compares the identifiers themselves. The trigger
-- skips such an insert (RAISE(IGNORE): no row, no error) and the ledger, seeing no change, reads
-- the row already there to answer `duplicate` or `identifier_conflict`; a re-import of a million
-- events thus costs no million errors.
-- A cancelled event keeps its row (audit) with cancelledAt set and stops counting.
-- late = 1 marks an event recorded after the invoice of its period was finalized.

CREATE TABLE meterEvent (
    seq INTEGER PRIMARY KEY,
    identifier TEXT NOT NULL CHECK (length(identifier) BETWEEN 1 AND 255),
    identifierHash INTEGER NOT NULL,
    meterSeq INTEGER NOT NULL REFERENCES meter(seq),
    customerSeq INTEGER NOT NULL REFERENCES customer(seq),
    timestamp INTEGER NOT NULL,
    valueSignificand INTEGER NOT NULL
        CHECK (valueSignificand BETWEEN -999999999999999 AND 999999999999999),
    valueScale INTEGER NOT NULL CHECK (valueScale BETWEEN 0 AND 12),
    dimensions TEXT CHECK (dimensions IS NULL OR (json_valid(dimensions) AND json_type(dimensions) = 'object')),
    recordedAt INTEGER NOT NULL,
    cancelledAt INTEGER CHECK (cancelledAt IS NULL OR cancelledAt >= recordedAt),
    late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1))
) STRICT;

CREATE INDEX meterEvent_identifierHash ON meterEvent(identifierHash);

CREATE TRIGGER meterEvent_identifier_unique BEFORE INSERT ON meterEvent
WHEN EXISTS (SELECT 1 FROM meterEvent
             WHERE identifierHash = NEW.identifierHash AND identifier = NEW.identifier)
BEGIN
    SELECT RAISE(IGNORE);
END;

-- Covering index of the aggregation: every usage query of one customer and meter over a time
-- range reads this index alone, in timestamp order. recordedAt and cancelledAt are in it because
-- a finalization counts the events recorded (and not cancelled) by its own scheduled instant.
CREATE INDEX meterEvent_usage ON meterEvent(
    customerSeq, meterSeq, timestamp, valueSignificand, valueScale, recordedAt, cancelledAt);

-- Only cancellation (and the late flag) may change: what was recorded is never rewritten.
CREATE TRIGGER meterEvent_fixed BEFORE UPDATE OF seq, identifier, identifierHash, meterSeq, customerSeq,
    timestamp, valueSignificand, valueScale, dimensions, recordedAt
ON meterEvent
BEGIN
    SELECT RAISE(ABORT, 'recorded meter events cannot change; cancel and record anew');
END;

CREATE TRIGGER meterEvent_no_delete BEFORE DELETE ON meterEvent
BEGIN
    SELECT RAISE(ABORT, 'meter events are never deleted; cancel instead');
END;

-- A mark at or after the latest recordedAt of any event (one row, moved in whole hours). A
-- finalization at instant t marks events recorded after t as late; when the mark is not after t,
-- nothing was, and it skips that scan.
-- billedMax is the latest end of any finalized metered period: an event timestamped at or after
-- it cannot be late, which spares most events the per-customer look-up.
CREATE TABLE meterEventClock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    recordedMax INTEGER NOT NULL,
    billedMax INTEGER NOT NULL
) STRICT;
INSERT INTO meterEventClock (id, recordedMax, billedMax) VALUES (1, -9223372036854775808, -9223372036854775808);

CREATE TRIGGER meterEvent_cancel_once BEFORE UPDATE OF cancelledAt ON meterEvent
WHEN OLD.cancelledAt IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'the event is already cancelled');
END;
