-- Migration 8: rights (RightsStore). Each photo's derived state, which bounds its visibility
-- (public_from never before usable_from, NULL when usable_from is; public_until is usable_until,
-- mirrored on its search document), its leases and history, and the shared settings (the rights
-- rules every node applies).

ALTER TABLE asset
    ADD COLUMN rights_category text NOT NULL DEFAULT 'unknown',
    ADD COLUMN rights_cost     text NOT NULL DEFAULT 'conditional',
    ADD COLUMN restricted      boolean NOT NULL DEFAULT false,
    ADD COLUMN killed          boolean NOT NULL DEFAULT false,
    ADD COLUMN usable_from     timestamptz DEFAULT '1970-01-01 00:00:00+00',
    ADD COLUMN usable_until    timestamptz,
    ADD COLUMN rights_version  integer NOT NULL DEFAULT 0,
    ADD COLUMN public_until    timestamptz;
CREATE INDEX asset_public_until ON asset (public_until);
CREATE INDEX asset_rights_cost ON asset (rights_cost);
ALTER TABLE search_document ADD COLUMN public_until timestamptz;

CREATE TABLE lease (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256      text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    allow       boolean NOT NULL,
    starts_at   timestamptz,
    ends_at     timestamptz,
    article     text,
    note        text NOT NULL,
    by_name     text NOT NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    revoked_by  text,
    revoke_note text
);
CREATE INDEX lease_sha256 ON lease (sha256);

CREATE TABLE rights_event (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256   text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    action   text NOT NULL,
    at       timestamptz NOT NULL,
    by_name  text NOT NULL,
    reason   text NOT NULL,
    lease_id bigint,
    article  text
);
CREATE INDEX rights_event_sha256 ON rights_event (sha256);

CREATE TABLE setting (
    name    text PRIMARY KEY,
    value   text NOT NULL,
    by_name text NOT NULL,
    at      timestamptz NOT NULL,
    version integer NOT NULL
);
