-- Migration 2: folded full-text search.
--
-- The application stores `search_text` already folded and split, exactly as SQLite's index gets
-- it: lower case, NFD marks removed, đ as d, and every run of characters that are not letters or
-- digits replaced by one space (SearchText.words(...).joined(separator: " ")). That makes the
-- tokens the same as FTS5's (the default parser would otherwise keep "f/2.8", "co-op" or an
-- e-mail address as tokens of their own) and makes the results independent of the server's
-- unaccent rules file and locale.
--
-- The configuration still runs unaccent before simple, for text that reaches the table unfolded
-- (a script, psql): to_tsvector with a configuration named as a constant is IMMUTABLE, so it may
-- appear in a generated column, while unaccent() itself is only STABLE and may not. numword and
-- the hyphenated number parts are mapped too: the issue's `hword, hword_part, word` alone leaves
-- a token of letters and digits such as "Đ5" unfolded.
-- unaccent is a trusted extension (PostgreSQL 13+): the database owner may create it.

CREATE EXTENSION IF NOT EXISTS unaccent;

CREATE TEXT SEARCH CONFIGURATION photodesk (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION photodesk
    ALTER MAPPING FOR word, hword, hword_part, numword, numhword, hword_numpart WITH unaccent, simple;

-- One document per asset. Its id is the document number: it grows with every new document and
-- is kept when the text is rewritten (upsert on sha256), so "newest first" is "id descending",
-- as SQLite's searchDoc rowid.
CREATE TABLE search_document (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256        text COLLATE "C" NOT NULL UNIQUE REFERENCES asset ON DELETE CASCADE,
    search_text   text NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector('photodesk'::regconfig, search_text)) STORED
);
CREATE INDEX search_document_vector ON search_document USING gin (search_vector);
