-- +goose Up
-- Search (tìm kiếm) and the virtual assistant (trợ lý ảo), issue 8.
--
-- Two text search configurations read the same text: `simple` keeps the diacritics (lower case
-- only), `kiemsat_plain` is simple with unaccent in front, so "Nguyễn Văn Đức", "nguyen van duc"
-- and "NGUYỄN VĂN ĐỨC" give the same plain lexemes. Queries match on the plain vector (one GIN
-- index) and rank the accented vector above it, so a query typed with its diacritics puts the
-- exact spelling first. to_tsvector(regconfig, text) is immutable, so both vectors can be stored
-- as generated columns.
CREATE TEXT SEARCH CONFIGURATION kiemsat_plain (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION kiemsat_plain
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part, numword, numhword
    WITH public.unaccent, simple;

-- One search row per case: the head (number, code, the names of everyone in the record) weighs A,
-- the rest (summary, charges with their articles, decision numbers, issuers, legal bases and
-- notes) weighs D. The unit and secrecy are copied from the case, as case_clocks does, so the
-- scope is applied to the search row itself. Triggers below keep it current.
--
-- The plain vector also holds tokens no text can produce (they start with §): the unit (§u40), the
-- month received (§m202612) and each clause charged or registered (§c173.1). A search asks for
-- its words AND one of the caller's units AND one of a window of recent months, so the one GIN
-- index narrows it to the scope and the window before any row is read: at 1,000,000 cases a
-- common word matches hundreds of thousands of rows, and a plain vector index sent every one of
-- them to the heap to check its unit and date (about 1 s for "trom cap" over a province). The
-- similar-case search asks for the clause tokens the same way.
CREATE TABLE case_search (
    case_id      uuid        PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    unit_id      bigint      NOT NULL,
    secret       boolean     NOT NULL,
    received_at  timestamptz NOT NULL,
    -- yyyymm of the day received in Vietnam, for the windows of the search.
    received_month integer   GENERATED ALWAYS AS ((extract(year FROM (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')) * 100
                                 + extract(month FROM (received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')))::integer) STORED,
    head         text        NOT NULL,
    rest         text        NOT NULL,
    tokens       text[]      NOT NULL,
    tsv_plain    tsvector    GENERATED ALWAYS AS (setweight(to_tsvector('kiemsat_plain'::regconfig, head), 'A') || to_tsvector('kiemsat_plain'::regconfig, rest)
                                 || array_to_tsvector(tokens)) STORED,
    tsv_accented tsvector    GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, head), 'A') || to_tsvector('simple'::regconfig, rest)) STORED
);

-- The words the search has seen (unaccented), for typo tolerance: a query word that is not here
-- is replaced by the words within a small edit distance that are. Vietnamese has a few thousand
-- syllables, so the table stays small whatever the number of cases. It holds no record: a word
-- here says nothing about who may read what, and results are scoped as ever.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;
CREATE TABLE search_lexicon (
    word text PRIMARY KEY
);

-- The text of a case as the search reads it, and its tokens.
CREATE VIEW case_search_source AS
SELECT c.id AS case_id, c.unit_id, c.secret, c.received_at,
    ARRAY['§u' || c.unit_id, '§m' || to_char(c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMM')]
        || ARRAY(SELECT DISTINCT x FROM (
            SELECT '§c' || ch.article || '.' || ch.clause AS x FROM accused a JOIN charges ch ON ch.accused_id = a.id WHERE a.case_id = c.id
            UNION SELECT '§c' || c.offence_article || '.' || c.offence_clause WHERE c.offence_article IS NOT NULL AND c.offence_clause IS NOT NULL) t
          ORDER BY 1) AS tokens,
    concat_ws(' ', c.number, c.code,
        (SELECT string_agg(p.full_name, ' ' ORDER BY p.created_at, p.id) FROM case_parties p WHERE p.case_id = c.id),
        (SELECT string_agg(a.full_name, ' ' ORDER BY a.created_at, a.id) FROM accused a WHERE a.case_id = c.id)) AS head,
    concat_ws(' ', c.summary,
        CASE WHEN c.offence_article IS NOT NULL THEN 'Điều ' || c.offence_article || coalesce(' khoản ' || c.offence_clause, '') END,
        (SELECT string_agg(concat_ws(' ', 'Điều ' || ch.article, CASE WHEN ch.clause > 0 THEN 'khoản ' || ch.clause END,
                CASE WHEN ch.point <> '' THEN 'điểm ' || ch.point END, ch.title), ' ')
            FROM accused a JOIN charges ch ON ch.accused_id = a.id WHERE a.case_id = c.id),
        (SELECT string_agg(concat_ws(' ', nullif(d.number, ''), nullif(d.issuer_name, ''), nullif(d.legal_basis, ''), nullif(d.note, '')), ' ' ORDER BY d.seq)
            FROM case_decisions d WHERE d.case_id = c.id)) AS rest
FROM cases c;

-- +goose StatementBegin
CREATE FUNCTION case_search_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO case_search (case_id, unit_id, secret, received_at, head, rest, tokens)
    SELECT case_id, unit_id, secret, received_at, head, rest, tokens FROM case_search_source WHERE case_id = ANY(ids)
    ON CONFLICT (case_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, secret = EXCLUDED.secret,
        received_at = EXCLUDED.received_at, head = EXCLUDED.head, rest = EXCLUDED.rest, tokens = EXCLUDED.tokens;
    -- Sorted, so that two transactions adding words never wait on each other in opposite orders.
    INSERT INTO search_lexicon (word)
    SELECT DISTINCT w.lexeme FROM case_search s, unnest(s.tsv_plain) w
    WHERE s.case_id = ANY(ids) AND length(w.lexeme) BETWEEN 2 AND 30 AND w.lexeme ~ '^[a-z]+$'
    ORDER BY w.lexeme
    ON CONFLICT (word) DO NOTHING;
END;
$$;

-- Inserts are bulk (the generator copies thousands of rows per statement): statement triggers
-- with transition tables refresh each case touched once per statement.
CREATE FUNCTION case_search_on_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM case_search_refresh(ARRAY(SELECT DISTINCT id FROM new_rows));
    RETURN NULL;
END;
$$;
CREATE FUNCTION case_search_on_case_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM case_search_refresh(ARRAY(SELECT DISTINCT case_id FROM new_rows));
    RETURN NULL;
END;
$$;
CREATE FUNCTION case_search_on_charges() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM case_search_refresh(ARRAY(SELECT DISTINCT a.case_id FROM new_rows n JOIN accused a ON a.id = n.accused_id));
    RETURN NULL;
END;
$$;
CREATE FUNCTION case_search_on_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Separate statements: an expression naming NEW.case_id fails on cases, which has no such column.
    IF TG_TABLE_NAME = 'cases' THEN
        PERFORM case_search_refresh(ARRAY[NEW.id]);
    ELSE
        PERFORM case_search_refresh(ARRAY[NEW.case_id]);
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER case_search_cases_insert AFTER INSERT ON cases
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_search_on_cases();
CREATE TRIGGER case_search_parties_insert AFTER INSERT ON case_parties
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_search_on_case_rows();
CREATE TRIGGER case_search_accused_insert AFTER INSERT ON accused
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_search_on_case_rows();
CREATE TRIGGER case_search_decisions_insert AFTER INSERT ON case_decisions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_search_on_case_rows();
CREATE TRIGGER case_search_charges_insert AFTER INSERT ON charges
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_search_on_charges();
-- Updates are one row at a time, and only some change the text.
CREATE TRIGGER case_search_cases_update AFTER UPDATE ON cases FOR EACH ROW
    WHEN (OLD.summary IS DISTINCT FROM NEW.summary OR OLD.unit_id IS DISTINCT FROM NEW.unit_id OR OLD.secret IS DISTINCT FROM NEW.secret
        OR OLD.offence_article IS DISTINCT FROM NEW.offence_article OR OLD.offence_clause IS DISTINCT FROM NEW.offence_clause
        OR OLD.received_at IS DISTINCT FROM NEW.received_at)
    EXECUTE FUNCTION case_search_on_row();
CREATE TRIGGER case_search_parties_update AFTER UPDATE ON case_parties FOR EACH ROW
    WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name) EXECUTE FUNCTION case_search_on_row();
CREATE TRIGGER case_search_accused_update AFTER UPDATE ON accused FOR EACH ROW
    WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name) EXECUTE FUNCTION case_search_on_row();

-- Every case already registered.
INSERT INTO case_search (case_id, unit_id, secret, received_at, head, rest, tokens)
SELECT case_id, unit_id, secret, received_at, head, rest, tokens FROM case_search_source;
INSERT INTO search_lexicon (word)
SELECT DISTINCT w.lexeme FROM case_search s, unnest(s.tsv_plain) w
WHERE length(w.lexeme) BETWEEN 2 AND 30 AND w.lexeme ~ '^[a-z]+$'
ON CONFLICT (word) DO NOTHING;
-- Built after the rows: one pass over them is faster than growing the index row by row.
CREATE INDEX case_search_plain_idx ON case_search USING gin (tsv_plain);

-- The text of uploaded documents (văn bản trong hồ sơ), one row per version once the extractor
-- has read it: PDFs through pdftotext (poppler), text files directly. status says why a version
-- has no text (a scan without a text layer, a format not read, an extractor failure), so the
-- extractor does not try it again.
CREATE TABLE case_document_texts (
    version_id   uuid        PRIMARY KEY REFERENCES case_document_versions (id),
    document_id  uuid        NOT NULL REFERENCES case_documents (id),
    case_id      uuid        NOT NULL REFERENCES cases (id),
    status       text        NOT NULL CHECK (status IN ('extracted', 'empty', 'unsupported', 'failed')),
    detail       text        NOT NULL DEFAULT '',
    body         text        NOT NULL DEFAULT '',
    extracted_at timestamptz NOT NULL,
    tsv_plain    tsvector    GENERATED ALWAYS AS (to_tsvector('kiemsat_plain'::regconfig, body)) STORED,
    tsv_accented tsvector    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED
);
CREATE INDEX case_document_texts_plain_idx ON case_document_texts USING gin (tsv_plain);
CREATE INDEX case_document_texts_case_idx ON case_document_texts (case_id);

-- The law the search and the assistant read besides the records: the Penal Code catalog's clause
-- versions (with the dates they are in force), the deadline rules and the reference facts. The
-- binary holds them (the rule table is code, the catalog is loaded at start); each instance writes
-- them here once when their content hash differs from the stored one, so the vectors are computed
-- once, not at every search.
CREATE TABLE law_passages (
    id           text     PRIMARY KEY, -- ref plus, for a clause, the first day of its version
    ref          text     NOT NULL,    -- BLHS:173:2, rule:detention_period, fact:counting
    cite         text     NOT NULL,
    title        text     NOT NULL,
    body         text     NOT NULL,
    valid_from   date,
    valid_to     date,
    tsv_plain    tsvector GENERATED ALWAYS AS (to_tsvector('kiemsat_plain'::regconfig, cite || ' ' || title || ' ' || body)) STORED,
    tsv_accented tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, cite || ' ' || title || ' ' || body)) STORED
);
CREATE INDEX law_passages_plain_idx ON law_passages USING gin (tsv_plain);
CREATE TABLE law_passages_version (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    hash    text    NOT NULL
);

-- The assistant's questions and answers, each user's own history. The answer is kept as it was
-- given; reading the history again re-checks access to the cases it cites.
CREATE TABLE assistant_questions (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    asked_at   timestamptz NOT NULL,
    question   text        NOT NULL CHECK (length(question) BETWEEN 1 AND 1000),
    case_id    uuid,       -- as asked: no reference, a question may name a case that does not exist
    language   text        NOT NULL CHECK (language IN ('vi', 'en')),
    intent     text        NOT NULL,
    answered   boolean     NOT NULL,
    answer     text        NOT NULL,
    citations  jsonb       NOT NULL DEFAULT '[]',
    confidence real        NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    phrased    boolean     NOT NULL DEFAULT false
);
CREATE INDEX assistant_questions_user_idx ON assistant_questions (user_id, asked_at DESC, id DESC);

-- Similar cases (vụ án tương tự) start from the cases charged under the same article and clause.
CREATE INDEX charges_article_clause_idx ON charges (article, clause);

-- +goose Down
DROP INDEX charges_article_clause_idx;
DROP TABLE assistant_questions;
DROP TABLE law_passages_version;
DROP TABLE law_passages;
DROP TABLE case_document_texts;
DROP TRIGGER case_search_accused_update ON accused;
DROP TRIGGER case_search_parties_update ON case_parties;
DROP TRIGGER case_search_cases_update ON cases;
DROP TRIGGER case_search_charges_insert ON charges;
DROP TRIGGER case_search_decisions_insert ON case_decisions;
DROP TRIGGER case_search_accused_insert ON accused;
DROP TRIGGER case_search_parties_insert ON case_parties;
DROP TRIGGER case_search_cases_insert ON cases;
DROP FUNCTION case_search_on_row();
DROP FUNCTION case_search_on_charges();
DROP FUNCTION case_search_on_case_rows();
DROP FUNCTION case_search_on_cases();
DROP FUNCTION case_search_refresh(uuid[]);
DROP VIEW case_search_source;
DROP TABLE search_lexicon;
DROP TABLE case_search;
DROP TEXT SEARCH CONFIGURATION kiemsat_plain;
