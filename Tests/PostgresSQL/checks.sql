-- Checks of the PostgreSQL backend's schema, run by scripts/check-postgres-sql in a migrated
-- database: the folding configuration and tsquery quoting, the generated columns, the indexes
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

-- Folding ----------------------------------------------------------------------------------------
SELECT pg_temp.expect(to_tsvector('photodesk', 'Đồng Văn, HÀ GIANG') = to_tsvector('photodesk', 'dong van ha giang'),
    'the configuration folds diacritics and case, đ/Đ as d');
SELECT pg_temp.expect(to_tsvector('photodesk', normalize('Đồng Văn Hà Giang', NFD)) = to_tsvector('photodesk', 'dong van ha giang'),
    'decomposed (NFD) text folds the same');
SELECT pg_temp.expect(to_tsvector('photodesk', 'Đ5 x-Đ2') @@ to_tsquery('photodesk', '''d5'' & ''d2'''),
    'tokens of letters and digits fold too (numword, hword_numpart)');
SELECT pg_temp.expect(to_tsvector('photodesk', 'and the a of') = '''a'':3 ''and'':1 ''of'':4 ''the'':2'::tsvector,
    'no stop words: and, the, a, of are indexed');

-- tsquery text built from quoted words: words like `and`, digits, single letters, and hostile
-- text stay lexemes, never operators.
SELECT pg_temp.expect(to_tsquery('photodesk', '''and'':* & ''2020'':* & ''a'':*')::text = '''and'':* & ''2020'':* & ''a'':*',
    'quoted and, digits and one letter are plain lexemes');
SELECT pg_temp.expect(to_tsquery('photodesk', 'and & or')::text = '''and'' & ''or''',
    'unquoted and/or are lexemes too (operators are & | ! <->)');
SELECT pg_temp.expect(to_tsquery('photodesk', '''it''''s'' & ''a\\b''')::text IN ('''it'' <-> ''s'' & ''a'' <-> ''b'''),
    'a quote or backslash inside a quoted word is split by the parser, never parsed as syntax');
SELECT pg_temp.expect(to_tsquery('photodesk', '''!x & y:*''')::text = '''x'' <-> ''y''',
    'operators inside a quoted word are text');
SELECT pg_temp.expect(to_tsquery('photodesk', '''Hà'' <-> ''GIANG'':*')::text = '''ha'' <-> ''giang'':*',
    'query words pass through the same folding');

-- Catalog fixtures -------------------------------------------------------------------------------
INSERT INTO asset (sha256, format, bytes, width, height, orientation, taken_at, created_at)
SELECT rpad(to_hex(n), 64, '0'), 'jpeg', 1000 + n, 4000, 3000, 1, '2020-09-18T09:12:30+07:00', now()
FROM generate_series(1, 8) AS n;
SELECT pg_temp.expect((SELECT short_id FROM asset WHERE sha256 = rpad('1', 64, '0')) = '1000000000000000',
    'short_id is generated from sha256');
-- photo_text as the desk writes it: folded, split on non letters/digits, joined by spaces.
INSERT INTO search_document (sha256, photo_text)
SELECT rpad(to_hex(n), 64, '0'), t
FROM (VALUES (1, 'ha giang province 2019'), (2, 'giang ha is not the phrase'), (3, 'thi tran ha giang at dawn'),
             (4, 'dong van plateau'), (5, 'a harbour in giang'), (6, 'ha giangxi prefix'), (7, 'nothing here'),
             (8, 'ha giang again')) AS d(n, t) ORDER BY n;
SELECT pg_temp.expect((SELECT search_vector FROM search_document WHERE id = 4)
        = to_tsvector('photodesk', 'dong van plateau') || array_to_tsvector(ARRAY['~dong van', '~van plateau']),
    'the vector is generated from the photo text: its words, then each pair of neighbouring words');
UPDATE search_document SET uses_text = 'cho vung cao' WHERE id = 4;
SELECT pg_temp.expect((SELECT search_vector @@ to_tsquery('photodesk', '''plateau'' <-> ''cho'' & ''vung'':*') FROM search_document WHERE id = 4),
    'the uses'' text follows the photo''s text in the vector, and rewriting it keeps the document number');
SELECT pg_temp.expect((SELECT string_agg(id::text, ' ' ORDER BY id DESC) FROM search_document
                       WHERE search_vector @@ to_tsquery('photodesk', '''ha'' <-> ''giang'':*')) = '8 6 3 1',
    'a phrase whose last word is a prefix');
SELECT pg_temp.expect((SELECT string_agg(word, ' ' ORDER BY word) FROM search_word WHERE word >= 'g' AND word < 'h')
        = 'giang giangxi',
    'the words of the vectors are kept (search_word), the pairs not');
SELECT pg_temp.expect((SELECT count(*) FROM search_word WHERE word IN ('cho', 'vung', 'cao', 'plateau')) = 4
        AND NOT EXISTS (SELECT 1 FROM search_word WHERE word LIKE '~%'),
    'a rewritten text adds its new words');
SELECT pg_temp.expect((SELECT string_agg(id::text, ' ' ORDER BY id DESC) FROM search_document
                       WHERE search_vector @@ to_tsquery('photodesk', '(''ha'':* & ''giang'':*) & !(''ha'' <-> ''giang'':*)')) = '5 2',
    'the words apart, less the phrase');

CREATE FUNCTION pg_temp.plan(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || query LOOP plan := plan || line || E'\n'; END LOOP;
    RETURN plan;
END $$;
SET enable_seqscan = off;
SELECT pg_temp.expect(pg_temp.plan($q$SELECT id FROM search_document WHERE search_vector @@ to_tsquery('photodesk', '''ha'' <-> ''giang'':*')$q$)
        LIKE '%search_document_vector%', 'the GIN index serves a phrase-prefix query');
SELECT pg_temp.expect(pg_temp.plan($q$SELECT id FROM search_document WHERE id >= 2 AND id < 6 AND ts_match_vq(search_vector, to_tsquery('photodesk', '''ha'''))$q$)
        LIKE '%search_document_pkey%', 'a window of document numbers is read along the key');
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
