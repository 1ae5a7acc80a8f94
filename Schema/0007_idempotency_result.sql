-- 0007 idempotency: the first result of a request, stored as the caller's own value.
--
-- The library stores what the caller's operation returned, encoded as JSON (any Codable value);
-- it knows nothing of how a caller renders it. Rows written before this migration held the ledger
-- CLI's rendered response in three columns; they move into `result` in the shape the CLI stores
-- today ({"json", "human", "status"}), so a repeat of an old request still replays it.

CREATE TABLE idempotencyRecord (
    key TEXT PRIMARY KEY NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request TEXT NOT NULL,
    result TEXT NOT NULL CHECK (json_valid(result)),
    created INTEGER NOT NULL
) STRICT;

INSERT INTO idempotencyRecord (key, request, result, created)
SELECT key, request, json_object('json', responseJSON, 'human', responseText, 'status', status), created
FROM idempotencyKey;

DROP TABLE idempotencyKey;
