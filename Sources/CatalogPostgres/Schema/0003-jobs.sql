-- Migration 3: the job queue (ingest and rendition work shared by workers).
--
-- States: queued (waiting, from run_after on: a failed job waits out its backoff), running
-- (claimed; the lease lasts until locked_until, renewed by the live worker), done, dead (failed
-- its last attempt, or its lease expired on its last attempt). `attempts` counts claims. A
-- worker renews, completes or fails a job only while it holds it (state running, locked_by its
-- name): once its lease has expired and the job was claimed again, its writes are refused.
-- Every time is the caller's `now`, so tests move a clock instead of sleeping.

CREATE TABLE job (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL,
    payload      text NOT NULL,
    key          text NOT NULL,
    priority     integer NOT NULL DEFAULT 0,
    state        text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
    run_after    timestamptz NOT NULL,
    locked_by    text,
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    finished_at  timestamptz
);

-- Higher priority first (an editor's single upload before a bulk re-render), then oldest.
CREATE INDEX job_claim ON job (priority DESC, id) WHERE state = 'queued';
-- A key (a file) has at most one live job; a done or dead job does not block a new one.
CREATE UNIQUE INDEX job_live_key ON job (key) WHERE state IN ('queued', 'running');
CREATE INDEX job_lease ON job (locked_until) WHERE state = 'running';
CREATE INDEX job_finished ON job (finished_at) WHERE state = 'done';
CREATE INDEX job_state ON job (state, id);
