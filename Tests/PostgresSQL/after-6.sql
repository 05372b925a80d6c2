-- After migration 6 (scripts/check-postgres-sql's upgrade check): the texts kept as words
-- gained their pairs, the uses' text was made again from them, and the vector holds the tokens.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.expect(ok boolean, what text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN RAISE EXCEPTION 'check failed: %', what; END IF;
    RETURN 'ok  ' || what;
END $$;
\pset tuples_only on
\pset format unaligned
SELECT pg_temp.expect((SELECT photo_text FROM search_document WHERE id = 1) = 'dong van ha giang ~dong~van ~van~ha ~ha~giang',
    'upgrade: a photo''s words gain their pairs');
SELECT pg_temp.expect((SELECT photo_text FROM search_document WHERE id = 2) = 'cho'
        AND (SELECT photo_text FROM search_document WHERE id = 3) = '',
    'upgrade: one word or none has no pair');
SELECT pg_temp.expect((SELECT string_agg(search_text, '|' ORDER BY position) FROM article_photo) = 'bo truong tham ~bo~truong ~truong~tham|',
    'upgrade: a use''s words gain their pairs');
SELECT pg_temp.expect((SELECT uses_text FROM search_document WHERE id = 1) = 'bo truong tham ~bo~truong ~truong~tham',
    'upgrade: the uses'' text is made again from them');
SELECT pg_temp.expect((SELECT search_vector @@ '''~ha~giang'' & ''~truong~tham'''::tsquery FROM search_document WHERE id = 1),
    'upgrade: the vector holds the tokens, the GIN index is back');
SELECT pg_temp.expect(
    (SELECT array_agg(word COLLATE "C" ORDER BY word COLLATE "C") FROM search_word)
        = (SELECT array_agg(DISTINCT u.lexeme COLLATE "C" ORDER BY u.lexeme COLLATE "C")
           FROM search_document, unnest(search_vector) AS u WHERE left(u.lexeme, 1) <> '~'),
    'upgrade: search_word is the vectors'' words, as the desk spells them');
SELECT pg_temp.expect(EXISTS (SELECT FROM search_word WHERE word = 'bjørn')
        AND NOT EXISTS (SELECT FROM search_word WHERE word = 'strasse'),
    'upgrade: no word left as PostgreSQL''s parser and unaccent made it');
