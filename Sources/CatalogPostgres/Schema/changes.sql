-- The change counter and its notification: the last statement of every write transaction,
-- just before COMMIT, in one round trip. pg_notify inside a transaction is delivered at commit
-- (and never on rollback), so no trigger is needed; a listener that missed notifications (its
-- connection dropped) compares change-counter-read with the value it last saw.
-- Bump last: the UPDATE holds the row's lock until COMMIT, so every writer queues on it.

-- name: change-counter-bump
-- Returns the new value (the notification's payload).
WITH bumped AS (UPDATE change_counter SET value = value + 1 RETURNING value),
     notified AS (SELECT pg_notify('photodesk_changes', value::text) FROM bumped)
SELECT bumped.value FROM bumped CROSS JOIN notified;

-- name: change-counter-read
SELECT value FROM change_counter;
