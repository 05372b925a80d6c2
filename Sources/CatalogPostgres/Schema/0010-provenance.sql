-- Migration 10: provenance (TwinStore.provenance). Content Credentials as verified at ingest: the
-- verdict and what the manifest says, with the C2PA library's report for editors. Codes and
-- actions are space-separated (neither has a space).

CREATE TABLE provenance (
    sha256      text COLLATE "C" PRIMARY KEY REFERENCES asset ON DELETE CASCADE,
    state       text NOT NULL,
    codes       text NOT NULL,
    reason      text,
    issuer      text,
    common_name text,
    signed_at   text,
    generator   text,
    actions     text NOT NULL,
    source_type text,
    generated   boolean NOT NULL,
    report      text
);
CREATE INDEX provenance_state ON provenance (state);
