-- 0008 identifier slots: event identifiers are unique through a UNIQUE index on their hash.
--
-- identifierHash is now the event's slot in an open-addressed table: an event takes the slot of
-- its identifier's 64-bit FNV-1a hash or, when another identifier already holds that slot (a real
-- hash collision), the first free slot after it (hash + 1, + 2, …, wrapping). A look-up probes
-- from the hash's slot until it finds the identifier or a free slot; events are never deleted,
-- so no slot is ever freed and a probe never stops short of its event.
-- The insert is INSERT … ON CONFLICT(identifierHash) DO NOTHING: one probe of the index, where
-- the trigger it replaces looked the hash up once before the insert and again to insert. An
-- insert that changed nothing found its slot held; the ledger reads that row to answer
-- `duplicate`, `identifier_conflict`, or (a different identifier) to try the next slot.
-- Files written before this migration hold each identifier once, but two identifiers may share
-- a hash there. Before this SQL runs, the ledger moves every later event of such a pair to the
-- next free slot (Store.moveCollidingEvents, in the same transaction), so the unique index can
-- be built on any file.

DROP TRIGGER meterEvent_identifier_unique;
DROP INDEX meterEvent_identifierHash;
CREATE UNIQUE INDEX meterEvent_identifierSlot ON meterEvent(identifierHash);
