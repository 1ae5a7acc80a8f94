-- 0013 the event feed: every state change a host app would act on (an invoice created,
-- finalized, paid, voided; a grant created or updated; a subscription created, updated, ended; a
-- customer created, updated, deleted; an alert triggered or recovered) appends one row in the transaction that made the change.
-- So a committed change always has its event and a rolled-back one never has.
--
-- seq orders the feed: one writer at a time commits, so a reader never sees a later seq before
-- an earlier one, and AUTOINCREMENT never reuses a seq (a rolled-back one leaves a gap). A
-- consumer reads the events after the last one it handled. created is the instant the change
-- happened (a billing run's scheduled instant); object is the object as it was then, as the
-- library encodes it (FeedEvent.Object).
CREATE TABLE feedEvent (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    objectType TEXT NOT NULL
        CHECK (objectType IN ('customer', 'subscription', 'invoice', 'credit_grant', 'alert')),
    objectId TEXT NOT NULL,
    created INTEGER NOT NULL,
    object TEXT NOT NULL
) STRICT;
CREATE INDEX feedEvent_type ON feedEvent(type, seq);
