-- Checks of the PostgreSQL backend's schema, run by scripts/check-postgres-sql in a migrated
-- database: tsquery quoting, the generated columns, the indexes
-- the backend counts on. The backend's statements themselves live in Sources/CatalogPostgres and
-- are checked by the contract suite (Tests/CatalogContractTests) on a real server.
-- Each check raises an error (and stops psql) when it does not hold.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.expect(ok boolean, what text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN RAISE EXCEPTION 'check failed: %', what; END IF;
    RETURN 'ok  ' || what;
END $$;
\pset tuples_only on
\pset format unaligned

-- tsquery text as the backend writes it: the desk's tokens single-quoted and cast with ::tsquery,
-- no parser and no configuration: words like `and`, digits, single letters, pairs and hostile
-- text stay lexemes, never operators, and nothing is folded here (the desk folds).
SELECT pg_temp.expect('''and'':* & ''2020'':* & ''a'':* & ''~ha~giang'''::tsquery::text = '''and'':* & ''2020'':* & ''a'':* & ''~ha~giang''',
    'quoted and, digits, one letter and a pair are plain lexemes');
SELECT pg_temp.expect('''!x & y:*'''::tsquery::text = '''!x & y:*''',
    'operators inside a quoted token are text');
SELECT pg_temp.expect('''it''''s'''::tsquery::text = '''it''''s''',
    'a quote inside a quoted token, doubled, is text');
SELECT pg_temp.expect('''Hà'''::tsquery::text = '''Hà''',
    'the cast folds nothing of its own');

-- Catalog fixtures -------------------------------------------------------------------------------
INSERT INTO asset (sha256, format, bytes, width, height, orientation, taken_at, created_at)
SELECT rpad(to_hex(n), 64, '0'), 'jpeg', 1000 + n, 4000, 3000, 1, '2020-09-18T09:12:30+07:00', now()
FROM generate_series(1, 8) AS n;
SELECT pg_temp.expect((SELECT short_id FROM asset WHERE sha256 = rpad('1', 64, '0')) = '1000000000000000',
    'short_id is generated from sha256');
-- photo_text as the desk writes it (SearchTokens): its words, folded, then each pair of
-- neighbouring words as one token.
INSERT INTO search_document (sha256, photo_text)
SELECT rpad(to_hex(n), 64, '0'), t
FROM (VALUES (1, 'ha giang province 2019 ~ha~giang ~giang~province ~province~2019'),
             (2, 'giang ha is not the phrase ~giang~ha ~ha~is ~is~not ~not~the ~the~phrase'),
             (3, 'thi tran ha giang at dawn ~thi~tran ~tran~ha ~ha~giang ~giang~at ~at~dawn'),
             (4, 'dong van plateau ~dong~van ~van~plateau'), (5, 'a harbour in giang ~a~harbour ~harbour~in ~in~giang'),
             (6, 'ha giangxi prefix ~ha~giangxi ~giangxi~prefix'), (7, 'nothing here ~nothing~here'),
             (8, 'ha giang again ~ha~giang ~giang~again')) AS d(n, t) ORDER BY n;
SELECT pg_temp.expect((SELECT search_vector FROM search_document WHERE id = 4)
        = array_to_tsvector(ARRAY['dong', 'van', 'plateau', '~dong~van', '~van~plateau']),
    'the vector is the photo text''s tokens as they are: split on spaces, no parser, no folding of its own');
UPDATE search_document SET uses_text = 'cho vung cao ~cho~vung ~vung~cao' WHERE id = 4;
SELECT pg_temp.expect((SELECT search_vector @@ '''plateau'' & ''~cho~vung'' & ''vung'':*'::tsquery FROM search_document WHERE id = 4),
    'the uses'' tokens follow the photo''s in the vector, and rewriting them keeps the document number');
SELECT pg_temp.expect((SELECT string_agg(id::text, ' ' ORDER BY id DESC) FROM search_document
                       WHERE search_vector @@ '''~ha~giang'':*'::tsquery) = '8 6 3 1',
    'a phrase whose last word is a prefix: its pair as a prefix');
SELECT pg_temp.expect((SELECT string_agg(id::text, ' ' ORDER BY id DESC) FROM search_document
                       WHERE search_vector @@ '''ha'':*'::tsquery) = '8 6 5 3 2 1',
    'a word''s prefix never matches a pair (pairs start with ~)');
SELECT pg_temp.expect((SELECT string_agg(word, ' ' ORDER BY word) FROM search_word WHERE word >= 'g' AND word < 'h')
        = 'giang giangxi',
    'the words of the vectors are kept (search_word), the pairs not');
SELECT pg_temp.expect((SELECT count(*) FROM search_word WHERE word IN ('cho', 'vung', 'cao', 'plateau')) = 4
        AND NOT EXISTS (SELECT 1 FROM search_word WHERE word LIKE '~%'),
    'a rewritten text adds its new words');
SELECT pg_temp.expect((SELECT string_agg(id::text, ' ' ORDER BY id DESC) FROM search_document
                       WHERE search_vector @@ '(''ha'':* & ''giang'':*) & !(''~ha~giang'':*)'::tsquery) = '5 2',
    'the words apart, less the phrase');

CREATE FUNCTION pg_temp.plan(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || query LOOP plan := plan || line || E'\n'; END LOOP;
    RETURN plan;
END $$;
SET enable_seqscan = off;
SELECT pg_temp.expect(pg_temp.plan($q$SELECT id FROM search_document WHERE search_vector @@ '''~ha~giang'':*'::tsquery$q$)
        LIKE '%search_document_vector%', 'the GIN index serves a phrase-prefix query');
SELECT pg_temp.expect(pg_temp.plan($q$SELECT id FROM search_document WHERE id >= 2 AND id < 6 AND ts_match_vq(search_vector, '''ha'''::tsquery)$q$)
        LIKE '%search_document_pkey%', 'a window of document numbers is read along the key');
SELECT pg_temp.expect(pg_temp.plan($q$SELECT least(
          (SELECT min(publish_at) FROM article WHERE state = 'published' AND publish_at > now()),
          (SELECT min(published_at) FROM asset WHERE published_at > now()))$q$)
        LIKE '%asset_published%', 'the next publication is read along an index, not by reading every photo');
SELECT pg_temp.expect(pg_temp.plan($q$SELECT sha256 FROM asset WHERE sha256 >= '10000000' AND sha256 < '10000000~'$q$) LIKE '%Index%asset_pkey%',
    'a hash-prefix look-up is a range on the primary key (COLLATE "C")');
SELECT pg_temp.expect(pg_temp.plan($q$SELECT id FROM job WHERE state = 'queued' ORDER BY priority DESC, id LIMIT 1$q$) LIKE '%job_claim%',
    'a claim reads the queued jobs by priority, then age, from their index');
RESET enable_seqscan;

-- Change counter ---------------------------------------------------------------------------------
SELECT pg_temp.expect((SELECT count(*) = 1 AND min(value) = 1 FROM change_counter), 'one change counter row');

-- Job queue --------------------------------------------------------------------------------------
INSERT INTO job (kind, payload, key, run_after, created_at, updated_at)
SELECT 'ingest', '{}', k, now(), now(), now() FROM (VALUES ('/a.jpg'), ('/a.jpg'), ('/b.jpg')) AS v(k)
ON CONFLICT (key) WHERE state IN ('queued', 'running') DO NOTHING;
SELECT pg_temp.expect((SELECT count(*) FROM job) = 2, 'a key twice in one batch is queued once');
UPDATE job SET state = 'done' WHERE key = '/a.jpg';
INSERT INTO job (kind, payload, key, run_after, created_at, updated_at) VALUES ('ingest', '{}', '/a.jpg', now(), now(), now());
SELECT pg_temp.expect((SELECT count(*) FROM job WHERE key = '/a.jpg') = 2, 'a key whose job is done may be queued again');
