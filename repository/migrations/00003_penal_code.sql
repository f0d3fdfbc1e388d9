-- +goose Up
-- The Penal Code catalog (Bộ luật Hình sự 2015): for every clause of an article, each version of
-- its penalty bracket with the dates it was in force, and the severity class (Art. 9) that bracket
-- gives. Charges take their class from here, and the class drives investigation, detention,
-- prosecution and trial time limits. The law changes (Law 86/2025/QH15 re-cut the drug articles
-- and abolished death for eight crimes) and the shipped figures may need correcting faster than a
-- release, so the catalog is data an administrator edits, not code. The application seeds it from
-- the file embedded in the binary (workflow/penalcode/brackets.csv), inserting only missing rows,
-- so an edit here is never overwritten by an upgrade.

-- btree_gist lets one exclusion constraint compare the article and clause by equality and the date
-- ranges by overlap, so that no edit can leave two brackets for an act on the same day.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE penal_clauses (
    article        text        NOT NULL, -- "173", or "256a" for an article inserted by an amendment
    clause         integer     NOT NULL, -- khoản
    effective_from date        NOT NULL, -- first day this version applies to an act, inclusive
    effective_to   date,                 -- last day, inclusive; NULL while in force
    title_vi       text        NOT NULL,
    min_penalty    text        NOT NULL, -- tokens: canhcao, fine, caitao_2y, 6m, 3y, life, death
    max_penalty    text        NOT NULL,
    severity_class text        NOT NULL CHECK (severity_class IN ('less_serious', 'serious', 'very_serious', 'particularly_serious')),
    note           text        NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     uuid        REFERENCES users (id), -- NULL for rows seeded from the shipped file
    PRIMARY KEY (article, clause, effective_from),
    -- Articles run from 1 to 426; a letter marks one inserted later. The CASE keeps the cast from
    -- failing (and raising a type error instead of a check violation) on a malformed value.
    CONSTRAINT penal_clauses_article_format CHECK (
        CASE WHEN article ~ '^[1-9][0-9]{0,2}[a-z]?$' THEN substring(article FROM '^[0-9]+')::integer <= 426 ELSE false END),
    CONSTRAINT penal_clauses_clause_range CHECK (clause BETWEEN 1 AND 20),
    CONSTRAINT penal_clauses_penalty_format CHECK (
        min_penalty ~ '^(canhcao|fine|life|death|[1-9][0-9]*[my]|caitao_([1-9][0-9]*-)?[1-9][0-9]*[my])$' AND
        max_penalty ~ '^(canhcao|fine|life|death|[1-9][0-9]*[my]|caitao_([1-9][0-9]*-)?[1-9][0-9]*[my])$'),
    CONSTRAINT penal_clauses_effective_order CHECK (effective_to IS NULL OR effective_to >= effective_from),
    CONSTRAINT penal_clauses_no_overlap EXCLUDE USING gist (
        article WITH =, clause WITH =, daterange(effective_from, effective_to, '[]') WITH &&)
);

-- +goose Down
DROP TABLE penal_clauses;
-- btree_gist stays: dropping an extension another object may have come to rely on is not worth
-- the risk in a down migration.
