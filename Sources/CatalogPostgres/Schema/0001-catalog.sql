-- Migration 1: the catalog, after the SQLite schema (CatalogSQLite's migrations up to v5-seam),
-- in snake_case. Runs inside the migration transaction (see migrations.sql).
--
-- Choices against SQLite:
--   * sha256 and short ids are text COLLATE "C": byte order, and a hash-prefix look-up is a
--     range on the primary key.
--   * short_id is generated from sha256, so the two can never disagree.
--   * instants are timestamptz (the backend writes them rounded to the millisecond, as GRDB
--     stores dates, so cursor tokens in milliseconds compare exactly); taken_at stays text,
--     because it carries the file's own offset when the file gives one and none otherwise.
--   * caption fields are one jsonb object keyed by CaptionField (as SQLite's JSON column);
--     the asset's metadata sources stay text, returned byte for byte as they were given.
--   * public_from is derived data the backend keeps (CatalogStore's doc comment), copied onto
--     the search document so that a reader's search filters without a join.

CREATE TABLE asset (
    sha256        text COLLATE "C" PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    short_id      text COLLATE "C" GENERATED ALWAYS AS (left(sha256, 16)) STORED UNIQUE,
    format        text NOT NULL,
    bytes         bigint NOT NULL,
    width         integer NOT NULL,
    height        integer NOT NULL,
    orientation   smallint NOT NULL,
    taken_at      text COLLATE "C",
    camera_make   text,
    camera_model  text,
    lens          text,
    exposure_time text,
    f_number      double precision,
    iso           integer,
    focal_length  double precision,
    latitude      double precision,
    longitude     double precision,
    altitude      double precision,
    sources       text,
    created_at    timestamptz NOT NULL,
    published_at  timestamptz,
    public_from   timestamptz
);
CREATE INDEX asset_created ON asset (created_at, sha256);
CREATE INDEX asset_public ON asset (public_from);

CREATE TABLE location (
    path        text PRIMARY KEY,
    sha256      text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    size        bigint NOT NULL,
    modified_at double precision NOT NULL,
    inode       bigint NOT NULL,
    seen_at     timestamptz NOT NULL
);
CREATE INDEX location_asset ON location (sha256);

CREATE TABLE rendition (
    sha256      text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    preset      text NOT NULL,
    format      text NOT NULL,
    width       integer NOT NULL,
    height      integer NOT NULL,
    bytes       bigint NOT NULL,
    path        text NOT NULL,
    fingerprint text NOT NULL,
    PRIMARY KEY (sha256, preset)
);

CREATE TABLE caption (
    sha256   text COLLATE "C" PRIMARY KEY REFERENCES asset ON DELETE CASCADE,
    fields   jsonb NOT NULL DEFAULT '{}',
    revision integer NOT NULL
);

CREATE TABLE caption_revision (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256    text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    revision  integer NOT NULL,
    field     text NOT NULL,
    old_value text,
    new_value text,
    author    text NOT NULL,
    at        timestamptz NOT NULL,
    source    text NOT NULL
);
CREATE INDEX caption_revision_asset ON caption_revision (sha256, revision, id);
CREATE INDEX caption_revision_at ON caption_revision (at);

CREATE TABLE article (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    headline   text NOT NULL,
    dateline   text,
    published  text,
    byline     text,
    body       text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL,
    state      text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
    publish_at timestamptz,
    version    integer NOT NULL DEFAULT 1
);

CREATE TABLE article_photo (
    article_id  bigint NOT NULL REFERENCES article ON DELETE CASCADE,
    position    integer NOT NULL,
    sha256      text COLLATE "C" REFERENCES asset ON DELETE SET NULL,
    caption     text,
    crop        text,
    search_text text NOT NULL DEFAULT '',
    PRIMARY KEY (article_id, position)
);
CREATE INDEX article_photo_asset ON article_photo (sha256);

CREATE TABLE account (
    name          text PRIMARY KEY,
    role          text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL
);

CREATE TABLE session (
    token_hash      text PRIMARY KEY,
    name            text NOT NULL REFERENCES account ON DELETE CASCADE,
    csrf            text NOT NULL,
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    last_desk_visit timestamptz
);
CREATE INDEX session_account ON session (name);
CREATE INDEX session_expiry ON session (expires_at);

CREATE TABLE api_token (
    token_hash text PRIMARY KEY,
    id         text NOT NULL UNIQUE,
    name       text NOT NULL REFERENCES account ON DELETE CASCADE,
    label      text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX api_token_account ON api_token (name);

-- Counted sign-in attempts per key (a name and client address pair, or an address), shared by
-- every gallery node, so the throttle counts across nodes.
CREATE TABLE login_attempt (
    key     text PRIMARY KEY,
    count   integer NOT NULL,
    last_at timestamptz NOT NULL
);

-- One row, bumped by every counted write transaction as its last statement, with a
-- pg_notify('photodesk_changes') in the same statement: gallery caches compare it when the
-- LISTEN connection has dropped. A row, not a sequence: a sequence moves before the writer
-- commits, so a reader could cache old data under the new number.
CREATE TABLE change_counter (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    value bigint NOT NULL
);
INSERT INTO change_counter (value) VALUES (1);
