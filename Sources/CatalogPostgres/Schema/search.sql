-- Search statements. The application builds two tsquery texts from the folded words (letters
-- and digits only), each word single-quoted with ' doubled and \ doubled, and passes them as
-- bind parameters to to_tsquery('photodesk', $n) -- never user text in the SQL itself, and never
-- an unquoted word in tsquery syntax (an unquoted `and` is fine, but `!`, `&`, `:`, `<->` would
-- be operators):
--   phrase ($1): 'ha' <-> 'giang':*         the words together, in order, the last a prefix
--   words  ($2): 'ha':* & 'giang':*         every word anywhere, each a prefix
-- Tier 2 is the phrase, tier 1 the words less the phrase matches; one word is one tier (2).
-- Results are newest first: document id descending. The keyset is (tier, id) descending: in
-- search-page-words $3 and $4 are the last row's tier and id (both NULL on page one), $5 the
-- page size.

-- name: search-document-upsert
-- Keeps the document number of an asset whose text is rewritten. ($1 sha256, $2 folded text.)
INSERT INTO search_document (sha256, search_text) VALUES ($1, $2)
ON CONFLICT (sha256) DO UPDATE SET search_text = EXCLUDED.search_text
WHERE search_document.search_text IS DISTINCT FROM EXCLUDED.search_text;

-- name: search-page-words
-- Two or more words. Each arm reads at most $5 rows in id order; the outer ORDER BY merges them.
SELECT h.tier, h.id, a.short_id, c.caption
FROM (
    (SELECT 2 AS tier, d.id, d.sha256
     FROM search_document d
     WHERE d.search_vector @@ to_tsquery('photodesk', $1)
       AND ($3::int IS NULL OR $3::int > 2 OR ($3::int = 2 AND d.id < $4::bigint))
     ORDER BY d.id DESC
     LIMIT $5)
    UNION ALL
    (SELECT 1 AS tier, d.id, d.sha256
     FROM search_document d
     WHERE d.search_vector @@ (to_tsquery('photodesk', $2) && !! to_tsquery('photodesk', $1))
       AND ($3::int IS NULL OR $3::int > 1 OR ($3::int = 1 AND d.id < $4::bigint))
     ORDER BY d.id DESC
     LIMIT $5)
) h
JOIN asset a ON a.sha256 = h.sha256
LEFT JOIN caption c ON c.sha256 = h.sha256
ORDER BY h.tier DESC, h.id DESC
LIMIT $5;

-- name: search-page-word
-- One word: one tier. ($1 the word's tsquery 'giang':*, $2/$3 the keyset, $4 the page size.)
SELECT 2 AS tier, d.id, a.short_id, c.caption
FROM search_document d
JOIN asset a ON a.sha256 = d.sha256
LEFT JOIN caption c ON c.sha256 = d.sha256
WHERE d.search_vector @@ to_tsquery('photodesk', $1)
  AND ($2::int IS NULL OR ($2::int = 2 AND d.id < $3::bigint))
ORDER BY d.id DESC
LIMIT $4;

-- name: search-total
-- Every match of the words ($1: the words' tsquery, or the one word's). Exact counts cost a
-- bitmap scan of every match: see the measurements in the notes before showing it on every page.
SELECT count(*) FROM search_document WHERE search_vector @@ to_tsquery('photodesk', $1);

-- name: search-total-capped
-- The count up to a cap ($2, e.g. 10001 shown as "10,000+"): stops reading at the cap.
SELECT count(*) FROM (
    SELECT 1 FROM search_document WHERE search_vector @@ to_tsquery('photodesk', $1) LIMIT $2
) capped;
