-- Job queue statements (table in 0003-jobs.sql). Every statement is one round trip and runs on
-- its own (autocommit) unless said otherwise. A worker:
--   LISTEN photodesk_jobs on a dedicated connection; loop: requeue-expired now and then, claim,
--   run, renew every lease/3 while running, complete or fail. It wakes on a notification or on a
--   polling timer (a few seconds: notifications are lost while its connection is down, and a
--   backoff's run_after passing sends none).

-- name: enqueue
-- A batch: $1 kinds, $2 payloads (jsonb), $3 dedup keys (NULL for none), $4 priorities,
-- $5 max attempts, as arrays of one length. Rows whose key already has a live (queued or
-- running) job are skipped; RETURNING lists the ones queued. Then, in the same transaction:
-- enqueue-notify.
INSERT INTO job (kind, payload, dedup_key, priority, max_attempts)
SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[], $4::smallint[], $5::int[])
ON CONFLICT (dedup_key) WHERE state IN ('queued', 'running') DO NOTHING
RETURNING id, dedup_key;

-- name: enqueue-notify
-- Delivered at commit; notifications with the same payload in one transaction are sent once.
SELECT pg_notify('photodesk_jobs', '');

-- name: claim
-- Up to $1 due jobs, by priority then age; rows another worker is claiming are skipped, not
-- waited for. $2 the worker's name, $3 the lease (interval, e.g. '30 seconds').
-- The returned attempts is the lease's identity for renew, complete and fail.
WITH next AS (
    SELECT id FROM job
    WHERE state = 'queued' AND run_after <= now()
    ORDER BY priority, id
    LIMIT $1
    FOR UPDATE SKIP LOCKED
)
UPDATE job SET state = 'running', attempts = job.attempts + 1, locked_by = $2,
               locked_until = now() + $3::interval
FROM next WHERE job.id = next.id
RETURNING job.id, job.kind, job.payload, job.attempts, job.max_attempts;

-- name: requeue-expired
-- Jobs whose worker stopped renewing (it died, hung or lost the database): back to queued for
-- the next claim, or dead when that was the last attempt. Any worker may run it (before a
-- claim when its polling timer fires); SKIP LOCKED so that two workers never wait on each other.
WITH expired AS (
    SELECT id FROM job
    WHERE state = 'running' AND locked_until < now()
    FOR UPDATE SKIP LOCKED
)
UPDATE job SET state = CASE WHEN job.attempts >= job.max_attempts THEN 'dead' ELSE 'queued' END,
               run_after = now(),
               last_error = 'lease expired: worker ' || coalesce(job.locked_by, '?') || ' stopped renewing it',
               finished_at = CASE WHEN job.attempts >= job.max_attempts THEN now() END,
               locked_by = NULL, locked_until = NULL
FROM expired WHERE job.id = expired.id
RETURNING job.id, job.state;

-- name: renew
-- $1 id, $2 attempts (the lease), $3 the lease length. No row: the lease was lost (expired and
-- requeued or claimed again): stop the job without writing its result.
UPDATE job SET locked_until = now() + $3::interval
WHERE id = $1 AND attempts = $2 AND state = 'running'
RETURNING locked_until;

-- name: complete
-- $1 id, $2 attempts. Best in the same transaction as the job's catalog writes, so that a job
-- is done exactly when its result is committed. No row: the lease was lost.
UPDATE job SET state = 'done', finished_at = now(), locked_by = NULL, locked_until = NULL, last_error = NULL
WHERE id = $1 AND attempts = $2 AND state = 'running'
RETURNING id;

-- name: fail
-- $1 id, $2 attempts, $3 the error, $4 retryable (false: dead at once, e.g. a payload that can
-- never work). Retries wait base * 2^(attempt-1) with up to 25% jitter, capped at one hour:
-- with a 5 s base, 5 s, 10 s, 20 s, 40 s.
UPDATE job SET
    state = CASE WHEN NOT $4::bool OR attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
    run_after = now() + least(interval '1 hour',
                              interval '5 seconds' * power(2, attempts - 1) * (1 + random() * 0.25)),
    finished_at = CASE WHEN NOT $4::bool OR attempts >= max_attempts THEN now() END,
    last_error = $3, locked_by = NULL, locked_until = NULL
WHERE id = $1 AND attempts = $2 AND state = 'running'
RETURNING state, run_after;

-- name: retry-dead
-- `photodesk jobs retry ID` ($1) or `--dead` ($1 NULL): a fresh set of attempts, unless the same
-- key has a live job again (then the dead one stays, and the live one covers it).
UPDATE job SET state = 'queued', attempts = 0, run_after = now(), finished_at = NULL
WHERE state = 'dead' AND ($1::bigint IS NULL OR id = $1)
  AND (dedup_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM job live WHERE live.dedup_key = job.dedup_key AND live.state IN ('queued', 'running')))
RETURNING id;

-- name: prune
-- Finished jobs older than $1 (interval), at most $2 per call (call again while it deletes
-- $2): short transactions, no long lock on the table.
DELETE FROM job WHERE id IN (
    SELECT id FROM job WHERE state = 'done' AND finished_at < now() - $1::interval LIMIT $2
);

-- name: counts
-- `photodesk jobs` and /metrics: every state, queued split into due and waiting (backoff).
SELECT s.state, count(j.id) AS jobs
FROM (VALUES ('queued'), ('waiting'), ('running'), ('done'), ('dead')) AS s(state)
LEFT JOIN job j ON s.state = CASE WHEN j.state = 'queued' AND j.run_after > now() THEN 'waiting' ELSE j.state END
GROUP BY s.state
ORDER BY s.state;

-- name: dead
SELECT id, kind, payload, attempts, last_error, finished_at FROM job WHERE state = 'dead' ORDER BY id;
