-- Migration 1: the catalog, after the SQLite schema (SQLiteCatalog+Migrations.swift v1 and v3).
-- Runs inside the migration transaction (see migrations.sql); names are snake_case.
--
-- Choices against SQLite:
--   * sha256 and short ids are text COLLATE "C": byte order, and `LIKE 'prefix%'` can use the
--     primary key's btree (a longer-prefix look-up for `photodesk show`).
--   * short_id is generated from sha256, so the two can never disagree.
--   * instants are timestamptz; taken_at stays text, because it carries the file's own offset
--     when the file gives one and none otherwise (a timestamptz would invent one).
--   * keywords are text[], the asset's metadata sources jsonb (no JSON in a text column).
--   * article_photo's key is DEFERRABLE: renumbering (`position = position + 1`) checks the key
--     at the end of the statement, not row by row.

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
    sources       jsonb,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX asset_created ON asset (created_at, sha256);

CREATE TABLE location (
    path        text PRIMARY KEY,
    sha256      text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    size        bigint NOT NULL,
    modified_at double precision NOT NULL,
    inode       bigint NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now()
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
    sha256       text COLLATE "C" PRIMARY KEY REFERENCES asset ON DELETE CASCADE,
    caption      text,
    headline     text,
    byline       text,
    credit       text,
    copyright    text,
    keywords     text[] NOT NULL DEFAULT '{}',
    city         text,
    region       text,
    country      text,
    instructions text,
    revision     integer NOT NULL
);

CREATE TABLE caption_revision (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256    text COLLATE "C" NOT NULL REFERENCES asset ON DELETE CASCADE,
    revision  integer NOT NULL,
    field     text NOT NULL,
    old_value text,
    new_value text,
    author    text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    source    text NOT NULL
);
CREATE INDEX caption_revision_asset ON caption_revision (sha256, id);

CREATE TABLE article (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug       text NOT NULL UNIQUE,
    headline   text NOT NULL,
    dateline   text,
    published  text,
    byline     text,
    body       text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE article_photo (
    article_id bigint NOT NULL REFERENCES article ON DELETE CASCADE,
    position   integer NOT NULL,
    sha256     text COLLATE "C" REFERENCES asset ON DELETE SET NULL,
    caption    text,
    CONSTRAINT article_photo_pkey PRIMARY KEY (article_id, position) DEFERRABLE INITIALLY IMMEDIATE
);
CREATE INDEX article_photo_asset ON article_photo (sha256);

CREATE TABLE account (
    name          text PRIMARY KEY,
    role          text NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE session (
    token_hash text PRIMARY KEY,
    name       text NOT NULL REFERENCES account ON DELETE CASCADE,
    csrf       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX session_account ON session (name);
CREATE INDEX session_expiry ON session (expires_at);

CREATE TABLE api_token (
    token_hash text PRIMARY KEY,
    name       text NOT NULL REFERENCES account ON DELETE CASCADE,
    label      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_token_account ON api_token (name);

-- Failed logins per key (a name or a client address), shared by every gallery node; the
-- database's clock is the one clock (now()), so nodes with skewed clocks still agree.
CREATE TABLE login_failure (
    key     text PRIMARY KEY,
    count   integer NOT NULL,
    last_at timestamptz NOT NULL
);

-- One row, bumped by every write transaction just before COMMIT (changes.sql): gallery caches
-- compare it when the LISTEN connection has dropped. A row, not a sequence: a sequence moves
-- before the writer commits, so a reader could cache old data under the new number.
CREATE TABLE change_counter (
    id    boolean PRIMARY KEY DEFAULT true CHECK (id),
    value bigint NOT NULL
);
INSERT INTO change_counter (value) VALUES (0);
