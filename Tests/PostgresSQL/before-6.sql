-- A catalog as migration 5 left it, for scripts/check-postgres-sql's upgrade check: search
-- texts of words only (no pairs), one photo with two article uses, one with words that
-- PostgreSQL's own parser and unaccent spelled otherwise in search_word.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
INSERT INTO asset (sha256, format, bytes, width, height, orientation, created_at)
SELECT rpad(to_hex(n), 64, '0'), 'jpeg', 1000 + n, 4000, 3000, 1, now() FROM generate_series(1, 4) AS n;
INSERT INTO search_document (sha256, photo_text)
VALUES (rpad('1', 64, '0'), 'dong van ha giang'), (rpad('2', 64, '0'), 'cho'), (rpad('3', 64, '0'), ''),
    (rpad('4', 64, '0'), 'straße bjørn');
INSERT INTO article (slug, headline, body, updated_at) VALUES ('visit', 'Visit', '', now());
INSERT INTO article_photo (article_id, position, sha256, search_text)
SELECT id, p, rpad('1', 64, '0'), t FROM article, (VALUES (1, 'bo truong tham'), (2, '')) AS u(p, t);
