-- How the backend applies the numbered migrations (0001-*.sql, ...), so that nodes starting
-- together cannot race: everything runs in ONE transaction on one connection, and the first
-- statement takes a transaction-level advisory lock. A second node blocks on the lock until the
-- first commits, then reads the versions the first recorded and applies nothing. DDL is
-- transactional in PostgreSQL, so a failed migration leaves nothing behind (and releases the
-- lock with the rollback); a node that dies mid-way releases it with its connection.
--
-- Migrations must therefore be transaction-safe: no CREATE INDEX CONCURRENTLY, no VACUUM, and no
-- use of an enum value added by ALTER TYPE ... ADD VALUE in the same transaction.

-- name: migrate-begin
BEGIN;

-- name: migrate-lock
-- 8099846475701580651 is 'photodsk' read as a big-endian 64-bit integer: one key for the whole
-- database, shared by every Photodesk version.
SELECT pg_advisory_xact_lock(8099846475701580651);

-- name: migrate-lock-timeout
-- Optional: give up (SQLSTATE 55P03 lock_not_available) rather than wait forever behind a stuck
-- node; statement_timeout alone would also cancel the wait (57014).
SET LOCAL lock_timeout = '60s';

-- name: migrate-table
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- name: migrate-applied
-- A version above the newest the program knows means a newer Photodesk migrated this database:
-- refuse to start rather than run against a schema it does not understand.
SELECT version, name FROM schema_migrations ORDER BY version;

-- name: migrate-record
-- After each migration's own statements, in the same transaction ($1 version, $2 name).
INSERT INTO schema_migrations (version, name) VALUES ($1, $2);

-- name: migrate-commit
COMMIT;
