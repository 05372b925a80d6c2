-- Migration 3: the job queue (ingest and rendition work shared by workers).
--
-- States: queued (waiting, possibly until run_after after a failure), running (claimed; the
-- lease is locked_until, renewed by the live worker), done, dead (failed its last attempt, or
-- its lease expired on its last attempt). A failed job with attempts left goes back to queued
-- with a later run_after. `attempts` counts claims and doubles as the lease's identity:
-- complete/fail/renew name (id, attempts), so a worker whose lease expired and whose job was
-- claimed again cannot finish someone else's attempt.

CREATE TABLE job (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    payload      jsonb NOT NULL,
    dedup_key    text,
    priority     smallint NOT NULL DEFAULT 100,
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    run_after    timestamptz NOT NULL DEFAULT now(),
    locked_by    text,
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);

-- Lower priority numbers first (an editor's single upload 10, a bulk re-render 200), then FIFO.
CREATE INDEX job_claim ON job (priority, id) WHERE state = 'queued';
-- A file (or any dedup key) has at most one live job; a done or dead job does not block a new one.
CREATE UNIQUE INDEX job_dedup ON job (dedup_key) WHERE state IN ('queued', 'running');
CREATE INDEX job_lease ON job (locked_until) WHERE state = 'running';
CREATE INDEX job_finished ON job (finished_at) WHERE state = 'done';
CREATE INDEX job_dead ON job (id) WHERE state = 'dead';
