-- 0010 the recorded-events mark passes the processed clock.
--
-- From here on, recording or cancelling an event moves meterEventClock.recordedMax to the whole
-- hour after processedThrough (which is at or after the event's own instant): the mark is then
-- after every instant at which a draft was made before that event. A finalization whose draft
-- was made after the mark keeps the draft's metered quantities, counted over events that all
-- stand as they did; any other recounts them. Files written before this migration may hold a
-- mark that only reached an event's instant, or none for a cancellation: the mark moves past
-- their processed clock now, so every draft they hold is recounted once.
UPDATE meterEventClock SET recordedMax = (p.processedThrough / 3600 + 1) * 3600
FROM ledgerClock p WHERE meterEventClock.id = 1 AND p.id = 1 AND recordedMax <= p.processedThrough;
