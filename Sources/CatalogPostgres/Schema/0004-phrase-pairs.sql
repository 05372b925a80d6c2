-- Migration 4: word pairs in the search vector, so that a phrase is answered by the index.
--
-- A GIN index over a tsvector keeps which documents hold a word, not where: a phrase query
-- ('ha' <-> 'noi' <-> 'bo') is answered by the index as "holds all three words", and every such
-- document is then fetched from the table to check the positions. With common words and a phrase
-- that never occurs, that is thousands of rows read to find none. So the vector also holds each
-- pair of neighbouring words as one lexeme ("ha noi", "noi bo"): a phrase of n words adds its
-- n-1 pairs to the query (the last as a prefix when its last word is one), which the index
-- answers exactly. A pair is written "~ha noi": the parser never makes a lexeme holding a space
-- or starting with "~", so no word, and no word's prefix ('noi':* would otherwise match the pair
-- "noi bo", which has no position and so breaks the phrase operator), ever matches a pair. The pairs come from the vector's own positions (neighbours are positions p
-- and p+1), so they are folded exactly as the words are, and a phrase across the photo's text and
-- its uses' texts pairs as the phrase operator does.

CREATE FUNCTION photodesk_word_pairs(words tsvector) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (
        SELECT coalesce(array_to_tsvector(array_agg(DISTINCT '~' || a.lexeme || ' ' || b.lexeme)), ''::tsvector)
        FROM (SELECT u.lexeme, p FROM unnest(words) AS u, unnest(u.positions) AS p) AS a
        JOIN (SELECT u.lexeme, p FROM unnest(words) AS u, unnest(u.positions) AS p) AS b ON b.p = a.p + 1
    );

ALTER TABLE search_document DROP COLUMN search_vector;
ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    to_tsvector('photodesk'::regconfig, photo_text || ' ' || uses_text)
    || photodesk_word_pairs(to_tsvector('photodesk'::regconfig, photo_text || ' ' || uses_text))) STORED;
CREATE INDEX search_document_vector ON search_document USING gin (search_vector);
