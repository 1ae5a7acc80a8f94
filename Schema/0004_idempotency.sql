-- 0004 idempotency: the first result of a request made with an idempotency key.
--
-- The row is written in the same transaction as the request's own writes, so a request either
-- happened and is remembered, or did neither. A repeat with the same key and the same request
-- returns the stored response and writes nothing; with a different request it is refused.

CREATE TABLE idempotencyKey (
    key TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request TEXT NOT NULL,
    responseJSON TEXT NOT NULL,
    responseText TEXT NOT NULL,
    status INTEGER NOT NULL,
    created INTEGER NOT NULL
) STRICT;
