-- Migration 5: the words of the search vectors, so that a prefix is read through the index as
-- the words it stands for.
--
-- A GIN index answers a prefix term ('bo':*) by a partial match: it walks every key that starts
-- with the prefix and builds a bitmap of all their documents before any other term narrows it,
-- which for two common prefixes costs several times the exact words ('bo' | 'border'). The store
-- reads the words a prefix stands for from this table (a range of its primary key) and, when
-- there are few, asks the index for those words instead. A word is added when a document first
-- holds it and never removed: a word no document holds any longer matches nothing, so the
-- expanded query finds exactly what the prefix would. Word pairs ("~ha noi") are not kept.

CREATE TABLE search_word (
    word text COLLATE "C" PRIMARY KEY
);

CREATE FUNCTION photodesk_note_search_words() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_word (word)
    SELECT u.lexeme FROM unnest(NEW.search_vector) AS u WHERE left(u.lexeme, 1) <> '~'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;

CREATE TRIGGER search_document_words AFTER INSERT OR UPDATE OF photo_text, uses_text ON search_document
    FOR EACH ROW EXECUTE FUNCTION photodesk_note_search_words();

INSERT INTO search_word (word)
SELECT DISTINCT u.lexeme FROM search_document, unnest(search_vector) AS u WHERE left(u.lexeme, 1) <> '~'
ON CONFLICT DO NOTHING;
