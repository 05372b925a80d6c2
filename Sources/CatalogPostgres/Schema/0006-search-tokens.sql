-- Migration 6: the index holds the desk's tokens, as SQLite's does.
--
-- The desk makes a document's tokens itself (SearchTokens in the Catalog module): its words,
-- folded, one space apart, then each pair of neighbouring words as one token, `~first~second`.
-- photo_text and article_photo.search_text hold those tokens; the vector is them as they are,
-- split on spaces only (array_to_tsvector takes its lexemes as given: no parser, no
-- configuration), so PostgreSQL has no idea of a word of its own. A phrase is the AND of its
-- pairs on every backend, answered by the GIN index without positions.
--
-- The texts kept so far were words: they gain their pairs here, by the same rule (the function
-- is for this migration only, and goes with it).

CREATE FUNCTION pg_temp.with_pairs(words text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT array_to_string(
        w.list || ARRAY(
            SELECT '~' || w.list[i] || '~' || w.list[i + 1] FROM generate_series(1, cardinality(w.list) - 1) AS i
            ORDER BY i),
        ' ')
    FROM (SELECT array_remove(string_to_array(words, ' '), '') AS list) AS w
$$;

-- search_word (migration 5) is made again at the end: it held the lexemes of the
-- configuration, which unaccent and PostgreSQL's parser made (ß as ss, ø as o, words split at
-- letters the database's locale does not know), and the vector now holds the desk's words as
-- they are. Its trigger, which reads the vector, waits until the vector is back.
ALTER TABLE search_document DISABLE TRIGGER search_document_words;
ALTER TABLE search_document DROP COLUMN search_vector;
DROP FUNCTION photodesk_word_pairs(tsvector);

UPDATE article_photo SET search_text = pg_temp.with_pairs(search_text) WHERE search_text <> '';
UPDATE search_document SET photo_text = pg_temp.with_pairs(photo_text);
UPDATE search_document SET uses_text = COALESCE((
    SELECT string_agg(p.search_text, ' ' ORDER BY p.article_id, p.position)
    FROM article_photo p WHERE p.sha256 = search_document.sha256 AND p.search_text <> ''), '');

ALTER TABLE search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    array_to_tsvector(array_remove(string_to_array(photo_text || ' ' || uses_text, ' '), ''))) STORED;
CREATE INDEX search_document_vector ON search_document USING gin (search_vector);
TRUNCATE search_word;
INSERT INTO search_word (word)
SELECT DISTINCT u.lexeme FROM search_document, unnest(search_vector) AS u WHERE left(u.lexeme, 1) <> '~'
ON CONFLICT DO NOTHING;
ALTER TABLE search_document ENABLE TRIGGER search_document_words;
