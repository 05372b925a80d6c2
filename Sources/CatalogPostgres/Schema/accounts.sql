-- Account statements that differ from SQLite because several gallery nodes share them.

-- name: login-failures
-- The failures of these keys ($1 text[]: a name and a client address) within the window
-- ($2 interval); the caller computes the wait as today's LoginThrottle does, with ages from the
-- database clock.
SELECT key, count, extract(epoch FROM now() - last_at) AS age_seconds
FROM login_failure WHERE key = ANY($1) AND last_at > now() - $2::interval;

-- name: login-fail
-- One failed attempt for each key ($1 text[]); a failure older than the window ($2) starts over.
INSERT INTO login_failure (key, count, last_at)
SELECT k, 1, now() FROM unnest($1::text[]) AS k
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN login_failure.last_at <= now() - $2::interval THEN 1 ELSE login_failure.count + 1 END,
    last_at = now();

-- name: login-succeed
DELETE FROM login_failure WHERE key = ANY($1);

-- name: login-prune
DELETE FROM login_failure WHERE last_at <= now() - $1::interval;

-- name: session-prune
DELETE FROM session WHERE expires_at <= now();
