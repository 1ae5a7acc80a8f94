-- 0011 subscription changes as dated facts: items that start or stop at a period boundary, and
-- licensed quantities that change at one.
--
-- `subscriptions update` never rewrites what an earlier instant decided: a change made during a
-- period takes effect at that period's end (no proration), and the billing run reads, for each
-- period it bills, the items and quantities in effect at that period's start. So one run to T
-- and many runs to T bill the same, and the current period's invoice never changes.
--
-- An item is in effect for the period starting at P when effectiveFrom IS NULL OR effectiveFrom
-- <= P, and effectiveUntil IS NULL OR effectiveUntil > P. NULL effectiveFrom is "since the
-- subscription started" (every item written before this migration); NULL effectiveUntil is "until
-- the subscription ends". The CHECK keeps an item's range non-empty: an item added and removed
-- before it took effect is deleted instead (it was never billed).
ALTER TABLE subscriptionItem ADD COLUMN effectiveFrom INTEGER;
ALTER TABLE subscriptionItem ADD COLUMN effectiveUntil INTEGER
    CHECK (effectiveUntil IS NULL OR effectiveFrom IS NULL OR effectiveUntil > effectiveFrom);

-- A licensed item's quantity from effectiveFrom on; the item's own quantity holds before the
-- first row. One row per item and instant (a second change in one period replaces the first).
-- The CHECK mirrors subscriptionItem.quantity's: a quantity is a whole number, never negative.
CREATE TABLE subscriptionItemQuantity (
    itemId TEXT NOT NULL REFERENCES subscriptionItem(id),
    effectiveFrom INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    created INTEGER NOT NULL,
    PRIMARY KEY (itemId, effectiveFrom)
) STRICT, WITHOUT ROWID;
