-- Checks of the PostgreSQL backend's statements, run by scripts/check-postgres-sql in a migrated
-- database. Each check raises an error (and stops psql) when it does not hold.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;

CREATE FUNCTION pg_temp.expect(ok boolean, what text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN RAISE EXCEPTION 'check failed: %', what; END IF;
    RETURN 'ok  ' || what;
END $$;
\pset tuples_only on
\pset format unaligned

\i :prepare

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
INSERT INTO asset (sha256, format, bytes, width, height, orientation, taken_at)
SELECT rpad(to_hex(n), 64, '0'), 'jpeg', 1000 + n, 4000, 3000, 1, '2020-09-18T09:12:30+07:00'
FROM generate_series(1, 8) AS n;
INSERT INTO caption (sha256, caption, keywords, revision)
SELECT rpad(to_hex(n), 64, '0'), c, ARRAY['news', 'vietnam'], 1
FROM (VALUES (1, 'Hà Giang province, 2019'), (2, 'Giang Hà is not the phrase'),
             (3, 'Thị trấn Hà Giang at dawn'), (4, 'Đồng Văn plateau'), (5, 'a harbour in Giang'),
             (6, 'Ha Giangxi prefix'), (7, 'nothing here'), (8, 'Hà Giang again')) AS t(n, c);
SELECT pg_temp.expect((SELECT short_id FROM asset WHERE sha256 = rpad('1', 64, '0')) = '1000000000000000',
    'short_id is generated from sha256');
-- search_text as the app writes it: folded, split on non letters/digits, joined by spaces.
INSERT INTO search_document (sha256, search_text)
SELECT sha256, lower(regexp_replace(unaccent(replace(replace(caption, 'đ', 'd'), 'Đ', 'D')), '[^[:alnum:]]+', ' ', 'g'))
FROM caption ORDER BY sha256;
EXECUTE "search-document-upsert"(rpad('8', 64, '0'), 'ha giang again') \g /dev/null
SELECT pg_temp.expect((SELECT id FROM search_document WHERE sha256 = rpad('8', 64, '0')) = 8,
    'rewriting a document keeps its number');

-- Search -----------------------------------------------------------------------------------------
\set phrase '''ha'' <-> ''giang'':*'
\set words '''ha'':* & ''giang'':*'
CREATE TEMP TABLE page1 AS EXECUTE "search-page-words"(:'phrase', :'words', NULL, NULL, 10);
SELECT pg_temp.expect((SELECT string_agg(tier || ':' || id, ' ' ORDER BY tier DESC, id DESC) FROM page1) = '2:8 2:6 2:3 2:1 1:5 1:2',
    'two words: the phrase (last word a prefix) first, then the words apart, newest first in each tier');
CREATE TEMP TABLE small1 AS EXECUTE "search-page-words"(:'phrase', :'words', NULL, NULL, 3);
CREATE TEMP TABLE small2 AS EXECUTE "search-page-words"(:'phrase', :'words', 2, 3, 3);
CREATE TEMP TABLE small3 AS EXECUTE "search-page-words"(:'phrase', :'words', 1, 5, 3);
SELECT pg_temp.expect((SELECT string_agg(tier || ':' || id, ' ' ORDER BY tier DESC, id DESC) FROM small1) = '2:8 2:6 2:3'
    AND (SELECT string_agg(tier || ':' || id, ' ' ORDER BY tier DESC, id DESC) FROM small2) = '2:1 1:5 1:2'
    AND (SELECT string_agg(tier || ':' || id, ' ' ORDER BY tier DESC, id DESC) FROM small3) = '1:2',
    'keyset pages by (tier, id) continue across the tiers');
CREATE TEMP TABLE one AS EXECUTE "search-page-word"('''giang'':*', NULL, NULL, 10);
SELECT pg_temp.expect((SELECT string_agg(tier || ':' || id, ' ' ORDER BY id DESC) FROM one) = '2:8 2:6 2:5 2:3 2:2 2:1',
    'one word is one tier, prefix-matched');
CREATE TEMP TABLE folded AS EXECUTE "search-page-word"('''dong'':* & ''van'':*', NULL, NULL, 10);
SELECT pg_temp.expect((SELECT string_agg(id::text, ' ') FROM folded) = '4', 'dong van finds Đồng Văn');
CREATE TEMP TABLE total AS EXECUTE "search-total"(:'words');
CREATE TEMP TABLE capped AS EXECUTE "search-total-capped"(:'words', 4);
SELECT pg_temp.expect((SELECT count FROM total) = 6 AND (SELECT count FROM capped) = 4, 'exact and capped totals');

CREATE FUNCTION pg_temp.plan(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN ' || query LOOP plan := plan || line || E'\n'; END LOOP;
    RETURN plan;
END $$;
SET enable_seqscan = off;
SELECT pg_temp.expect(pg_temp.plan($q$SELECT id FROM search_document WHERE search_vector @@ to_tsquery('photodesk', '''ha'' <-> ''giang'':*')$q$)
        LIKE '%search_document_vector%', 'the GIN index serves a phrase-prefix query');
SELECT pg_temp.expect(pg_temp.plan($q$SELECT sha256 FROM asset WHERE sha256 LIKE '10000000000000000%'$q$) LIKE '%Index%asset_pkey%',
    'a short-id prefix look-up uses the primary key (COLLATE "C")');
RESET enable_seqscan;

-- Articles ---------------------------------------------------------------------------------------
INSERT INTO article (slug, headline) VALUES ('visit', 'A visit');
INSERT INTO article_photo (article_id, position, sha256) SELECT 1, n, rpad(to_hex(n), 64, '0') FROM generate_series(1, 3) AS n;
UPDATE article_photo SET position = position + 1 WHERE article_id = 1;
SELECT pg_temp.expect((SELECT string_agg(position::text, ' ' ORDER BY position) FROM article_photo) = '2 3 4',
    'renumbering positions in one statement (deferrable key)');

-- Change counter ---------------------------------------------------------------------------------
LISTEN photodesk_changes;
BEGIN;
CREATE TEMP TABLE bump AS EXECUTE "change-counter-bump";
COMMIT;
CREATE TEMP TABLE counter AS EXECUTE "change-counter-read";
SELECT pg_temp.expect((SELECT value FROM counter) = 1, 'the change counter moved by one (psql prints the notification above)');
UNLISTEN *;

-- Job queue --------------------------------------------------------------------------------------
LISTEN photodesk_jobs;
BEGIN;
EXECUTE enqueue(ARRAY['ingest', 'ingest', 'ingest', 'render', 'ingest'],
                ARRAY['{"path": "/a.jpg"}', '{"path": "/b.jpg"}', '{"path": "/a.jpg"}', '{"sha256": "x"}', '{"path": "/c.jpg"}']::jsonb[],
                ARRAY['file:/a.jpg', 'file:/b.jpg', 'file:/a.jpg', NULL, 'file:/c.jpg'],
                ARRAY[100, 100, 100, 200, 10]::smallint[], ARRAY[3, 3, 3, 3, 1]) \g /dev/null
EXECUTE "enqueue-notify" \g /dev/null
COMMIT;
UNLISTEN *;
SELECT pg_temp.expect((SELECT count(*) FROM job) = 4, 'a key twice in one batch is queued once');
EXECUTE enqueue(ARRAY['ingest'], ARRAY['{"path": "/a.jpg"}']::jsonb[], ARRAY['file:/a.jpg'], ARRAY[100]::smallint[], ARRAY[3]) \g /dev/null
SELECT pg_temp.expect((SELECT count(*) FROM job) = 4, 'a key with a live job is not queued again');
EXECUTE claim(2, 'w1', '30 seconds') \g /dev/null
SELECT pg_temp.expect((SELECT string_agg(payload->>'path', ' ' ORDER BY id) FROM job WHERE state = 'running') = '/a.jpg /c.jpg',
    'claim takes the lowest priority number first, then the oldest');
EXECUTE renew(1, 1, '1 minute') \g /dev/null
SELECT pg_temp.expect((SELECT locked_until > now() + interval '50 seconds' FROM job WHERE id = 1), 'renew extends the lease');
EXECUTE complete(1, 1) \g /dev/null
SELECT pg_temp.expect((SELECT state FROM job WHERE id = 1) = 'done', 'complete');
EXECUTE complete(1, 1) \g /dev/null
SELECT pg_temp.expect((SELECT count(*) FROM job WHERE state = 'done') = 1, 'completing twice changes nothing');
EXECUTE enqueue(ARRAY['ingest'], ARRAY['{"path": "/a.jpg"}']::jsonb[], ARRAY['file:/a.jpg'], ARRAY[100]::smallint[], ARRAY[3]) \g /dev/null
SELECT pg_temp.expect((SELECT count(*) FROM job WHERE dedup_key = 'file:/a.jpg') = 2, 'a key whose job is done may be queued again');
EXECUTE fail(5, 1, 'disk full', true) \g /dev/null
SELECT pg_temp.expect((SELECT state = 'dead' AND last_error = 'disk full' FROM job WHERE id = 5),
    'a failure on the last attempt is dead (max_attempts 1)');
EXECUTE claim(1, 'w1', '30 seconds') \g /dev/null
EXECUTE fail(2, 1, 'timeout', true) \g /dev/null
SELECT pg_temp.expect((SELECT state = 'queued' AND run_after > now() + interval '4 seconds' FROM job WHERE id = 2),
    'a failure with attempts left waits (backoff)');
EXECUTE claim(5, 'w1', '30 seconds') \g /dev/null
SELECT pg_temp.expect((SELECT state FROM job WHERE id = 2) = 'queued', 'a waiting job is not claimed');
EXECUTE fail(4, 1, 'bad payload', false) \g /dev/null
SELECT pg_temp.expect((SELECT state FROM job WHERE id = 4) = 'dead', 'a failure that is not retryable is dead at once');
EXECUTE complete(7, 1) \g /dev/null
UPDATE job SET run_after = now() - interval '1 second' WHERE id = 2;
EXECUTE claim(1, 'w2', '30 seconds') \g /dev/null
SELECT pg_temp.expect((SELECT state = 'running' AND attempts = 2 AND locked_by = 'w2' FROM job WHERE id = 2),
    'once due it is claimed again, attempt 2');
EXECUTE complete(2, 1) \g /dev/null
SELECT pg_temp.expect((SELECT state FROM job WHERE id = 2) = 'running', 'an old lease (attempt 1) cannot complete attempt 2');
UPDATE job SET locked_until = now() - interval '1 second' WHERE id = 2;
EXECUTE "requeue-expired" \g /dev/null
SELECT pg_temp.expect((SELECT state = 'queued' AND last_error LIKE 'lease expired%' FROM job WHERE id = 2),
    'an expired lease goes back to the queue');
EXECUTE claim(1, 'w3', '30 seconds') \g /dev/null
UPDATE job SET locked_until = now() - interval '1 second' WHERE id = 2;
EXECUTE "requeue-expired" \g /dev/null
SELECT pg_temp.expect((SELECT state FROM job WHERE id = 2) = 'dead', 'an expired lease on the last attempt is dead');
EXECUTE enqueue(ARRAY['ingest'], ARRAY['{"path": "/b.jpg"}']::jsonb[], ARRAY['file:/b.jpg'], ARRAY[100]::smallint[], ARRAY[3]) \g /dev/null
EXECUTE "retry-dead"(NULL) \g /dev/null
SELECT pg_temp.expect((SELECT string_agg(coalesce(dedup_key, '-') || '=' || state, ' ' ORDER BY id) FROM job)
        = 'file:/a.jpg=done file:/b.jpg=dead -=queued file:/c.jpg=queued file:/a.jpg=done file:/b.jpg=queued',
    'retry revives the dead, except where the key has a live job again');
CREATE TEMP TABLE counts AS EXECUTE counts;
SELECT pg_temp.expect((SELECT string_agg(state || '=' || jobs, ' ' ORDER BY state) FROM counts) = 'dead=1 done=2 queued=3 running=0 waiting=0',
    'counts by state');
UPDATE job SET finished_at = now() - interval '2 days' WHERE state = 'done';
EXECUTE prune('1 day', 1000) \g /dev/null
SELECT pg_temp.expect((SELECT count(*) FROM job WHERE state = 'done') = 0, 'prune deletes old finished jobs');

-- Login throttle ---------------------------------------------------------------------------------
EXECUTE "login-fail"(ARRAY['name:ed', 'ip:127.0.0.1'], '15 minutes') \g /dev/null
EXECUTE "login-fail"(ARRAY['name:ed'], '15 minutes') \g /dev/null
CREATE TEMP TABLE failures AS EXECUTE "login-failures"(ARRAY['name:ed', 'ip:127.0.0.1'], '15 minutes');
SELECT pg_temp.expect((SELECT string_agg(key || '=' || count, ' ' ORDER BY key) FROM failures) = 'ip:127.0.0.1=1 name:ed=2',
    'failed logins counted per key');
EXECUTE "login-succeed"(ARRAY['name:ed']) \g /dev/null
SELECT pg_temp.expect((SELECT count(*) FROM login_failure) = 1, 'a success forgets the name');
