-- Migration 2: folded full-text search.
--
-- The desk hands the store its search texts already folded and split (SearchText: lower case,
-- NFD marks removed, đ as d, words of letters and digits one space apart), so the tokens are
-- the same as SQLite's FTS5 sees. The configuration still runs unaccent before simple, for text
-- that reaches the table unfolded (a script, psql): to_tsvector with a configuration named as a
-- constant is IMMUTABLE, so it may appear in a generated column, while unaccent() itself is only
-- STABLE and may not. numword and the hyphenated number parts are mapped too: `hword, hword_part,
-- word` alone leaves a token of letters and digits such as "Đ5" unfolded.
-- unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it.

CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION photodesk (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION photodesk
    ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple;

-- One document per photo. Its id is the document number: assigned when the photo is first
-- indexed, kept when the text is rewritten, so "newest first" is "id descending" and a page
-- continues below the last number shown. photo_text is the photo's own text, uses_text its
-- article uses' texts (rebuilt by the store when its uses change); the vector indexes the two
-- in that order. public_from mirrors asset.public_from, so that a reader's search filters on
-- this row alone.
CREATE TABLE search_document (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256        text COLLATE "C" NOT NULL UNIQUE REFERENCES asset ON DELETE CASCADE,
    public_from   timestamptz,
    photo_text    text NOT NULL,
    uses_text     text NOT NULL DEFAULT '',
    search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector('photodesk'::regconfig, photo_text || ' ' || uses_text)) STORED
);
CREATE INDEX search_document_vector ON search_document USING gin (search_vector);
