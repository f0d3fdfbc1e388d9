-- +goose Up
-- Statistics for a year over the whole tree in milliseconds, with the same answer as counting the
-- cases one by one.
--
-- stat_facts holds, per case, every occurrence an indicator counts: a decision, a registration, a
-- violation found or remedied (a point: day = end_day), or a spell of detention (an interval from
-- the day it began to the day it ended, NULL while it lasts; one accused's overlapping or
-- consecutive orders are merged into one spell). An indicator counts each subject (case, accused, violation) once per
-- unit in a period; prev_end is the end of the same subject's previous occurrence for the same
-- indicator and unit, so a subject is counted by the first of its occurrences in the period:
--
--   count(from, to) = held(from) + first occurrences in [from, to)
--                     + repeats in [from, to) whose previous occurrence ended before from
--
-- where held(from) (spells begun before from and not ended before it; zero for points) and the
-- first occurrences are sums over stat_counts, kept by triggers by day, month, year and year so far, and the
-- repeats (rare) are read from the facts by a partial index.
--
-- What each indicator counts comes from stat_indicators and the chapters of the Penal Code from
-- penal_chapters: copies of workflow.Indicators and workflow.PenalChapters, checked equal by a
-- test (a new definition is a new migration that rewrites the rows and refreshes the facts).

CREATE TABLE stat_indicators (
    id      text    PRIMARY KEY,
    version integer NOT NULL,
    source  text    NOT NULL CHECK (source IN ('received', 'decision', 'detention', 'violation_found', 'violation_remedied')),
    counts  text    NOT NULL CHECK (counts IN ('case', 'accused', 'violation')),
    kind    text    NOT NULL DEFAULT '',
    steps   text[]  NOT NULL DEFAULT '{}'
);
INSERT INTO stat_indicators (id, version, source, counts, kind, steps) VALUES
    ('reports_received', 1, 'received', 'case', 'report', '{}'),
    ('cases_received', 1, 'received', 'case', 'case', '{}'),
    ('reports_resolved', 1, 'decision', 'case', '', '{institute_case,decline_institution}'),
    ('cases_instituted', 1, 'decision', 'case', '', '{accept_institution}'),
    ('accused_instituted', 1, 'decision', 'accused', '', '{institute_accused}'),
    ('cases_prosecuted', 1, 'decision', 'case', '', '{indict}'),
    ('cases_tried', 1, 'decision', 'case', '', '{pronounce_judgment}'),
    ('cases_suspended', 1, 'decision', 'case', '', '{suspend_investigation,suspend_prosecution,suspend_trial}'),
    ('cases_terminated', 1, 'decision', 'case', '', '{terminate_investigation,terminate_prosecution,terminate_trial}'),
    ('returned_by_procuracy', 1, 'decision', 'case', '', '{return_for_supplementary}'),
    ('returned_by_court', 1, 'decision', 'case', '', '{court_return_for_supplementary}'),
    ('accused_in_detention', 1, 'detention', 'accused', '', '{}'),
    ('violations_found', 1, 'violation_found', 'violation', '', '{}'),
    ('violations_remedied', 1, 'violation_remedied', 'violation', '', '{}');

CREATE TABLE penal_chapters (
    number       text    PRIMARY KEY,
    from_article integer NOT NULL,
    to_article   integer NOT NULL
);
INSERT INTO penal_chapters VALUES ('XIII', 108, 122), ('XIV', 123, 156), ('XV', 157, 167), ('XVI', 168, 180),
    ('XVII', 181, 187), ('XVIII', 188, 234), ('XIX', 235, 246), ('XX', 247, 259), ('XXI', 260, 329), ('XXII', 330, 351),
    ('XXIII', 352, 366), ('XXIV', 367, 391), ('XXV', 392, 420), ('XXVI', 421, 425);


CREATE TABLE stat_facts (
    indicator    text    NOT NULL,
    unit_id      bigint  NOT NULL, -- the unit the occurrence counts for
    case_id      uuid    NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    case_unit_id bigint  NOT NULL, -- the case's unit now, and its secrecy: who may read it
    secret       boolean NOT NULL,
    class        text    NOT NULL,
    chapter      text    NOT NULL,
    subject      text    NOT NULL,
    span         boolean NOT NULL, -- an interval (detention), not a point
    day          date    NOT NULL,
    end_day      date,
    prev_end     date
);
CREATE INDEX stat_facts_case_idx ON stat_facts (case_id);
-- The facts read a case's detention orders, ended ones too.
CREATE INDEX measures_case_kind_idx ON measures (case_id, kind);
CREATE INDEX stat_facts_repeat_idx ON stat_facts (day) WHERE prev_end IS NOT NULL;
CREATE INDEX stat_facts_unit_idx ON stat_facts (unit_id, indicator, day);

-- grain: 'd' day, 'm' month, 'y' year, period the first day of it; 'c' the year so far: from
-- January to the end of the month of period, so that a run of months within a year is the
-- difference of two rows (a year to date reads one month's worth of rows, not eleven).
CREATE TABLE stat_counts (
    grain        "char"  NOT NULL,
    period       date    NOT NULL,
    indicator    text    NOT NULL,
    unit_id      bigint  NOT NULL,
    case_unit_id bigint  NOT NULL,
    secret       boolean NOT NULL,
    class        text    NOT NULL,
    chapter      text    NOT NULL,
    n            bigint  NOT NULL DEFAULT 0, -- occurrences beginning in the period
    n_first      bigint  NOT NULL DEFAULT 0, -- of which the subject's first
    ends         bigint  NOT NULL DEFAULT 0, -- spells ending in the period
    PRIMARY KEY (grain, period, indicator, unit_id, case_unit_id, secret, class, chapter)
);

-- +goose StatementBegin
-- stat_facts_of computes the facts of some cases from the tables they come from. The class and
-- chapter of a case are those of its most serious standing charge, else of the offence it was
-- registered for; of an accused, their most serious standing charge.
CREATE FUNCTION stat_facts_of(ids uuid[]) RETURNS SETOF stat_facts LANGUAGE sql STABLE AS $$
WITH cls AS (
    SELECT c.id AS case_id, c.unit_id, c.unit_id AS case_unit_id, c.secret, c.kind, c.report_number, c.received_at,
        coalesce(top.class, (SELECT pc.severity_class FROM penal_clauses pc WHERE pc.article = c.offence_article::text
            AND pc.clause = c.offence_clause ORDER BY pc.effective_from DESC LIMIT 1), '') AS class,
        coalesce(pch.number, '') AS chapter
    FROM cases c LEFT JOIN LATERAL (
        SELECT ch.class, substring(ch.article FROM '^[0-9]+')::int AS article FROM charges ch JOIN accused ax ON ax.id = ch.accused_id
        WHERE ax.case_id = c.id AND ch.ended_by IS NULL AND NOT ch.proposed
        ORDER BY array_position(ARRAY['less_serious', 'serious', 'very_serious', 'particularly_serious'], ch.class) DESC, ch.article
        LIMIT 1) top ON true
        LEFT JOIN penal_chapters pch ON coalesce(top.article, c.offence_article) BETWEEN pch.from_article AND pch.to_article
    WHERE c.id = ANY(ids)
), acc AS (
    SELECT a.id AS accused_id, coalesce(top.class, '') AS class, coalesce(pch.number, '') AS chapter
    FROM accused a JOIN cases c ON c.id = a.case_id LEFT JOIN LATERAL (
        SELECT ch.class, substring(ch.article FROM '^[0-9]+')::int AS article FROM charges ch WHERE ch.accused_id = a.id
        AND ch.ended_by IS NULL AND NOT ch.proposed
        ORDER BY array_position(ARRAY['less_serious', 'serious', 'very_serious', 'particularly_serious'], ch.class) DESC, ch.article
        LIMIT 1) top ON true
        LEFT JOIN penal_chapters pch ON coalesce(top.article, c.offence_article) BETWEEN pch.from_article AND pch.to_article
    WHERE a.case_id = ANY(ids)
), occ AS (
    -- Registrations (thụ lý): a report instituted since keeps its report number.
    SELECT i.id AS indicator, c.unit_id, c.case_id, c.case_unit_id, c.secret, c.class, c.chapter, c.case_id::text AS subject, false AS span,
        (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS end_day
    FROM cls c JOIN stat_indicators i ON i.source = 'received'
        AND CASE WHEN i.kind = 'report' THEN c.kind = 'report' OR c.report_number <> '' ELSE c.kind = 'case' AND c.report_number = '' END
    UNION ALL
    -- Effective decisions: not corrected by a later one, approved when they needed approval.
    SELECT i.id, d.unit_id, c.case_id, c.case_unit_id, c.secret,
        CASE WHEN i.counts = 'accused' THEN a.class ELSE c.class END, CASE WHEN i.counts = 'accused' THEN a.chapter ELSE c.chapter END,
        CASE WHEN i.counts = 'accused' THEN a.accused_id::text ELSE c.case_id::text END, false, d.effective_on, d.effective_on
    FROM case_decisions d JOIN cls c ON c.case_id = d.case_id JOIN stat_indicators i ON i.source = 'decision' AND d.step = ANY(i.steps)
        LEFT JOIN LATERAL unnest(CASE WHEN i.counts = 'accused' THEN d.accused_ids END) AS x(id) ON true
        LEFT JOIN acc a ON a.accused_id = x.id
    WHERE (i.counts <> 'accused' OR a.accused_id IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM case_decisions s WHERE s.supersedes_id = d.id)
        AND (NOT d.requires_approval OR EXISTS (SELECT 1 FROM case_decisions ap WHERE ap.decides_id = d.id AND ap.outcome = 'approve'))
    UNION ALL
    -- Violations of time limits found, and remedied (the act done late); not those withdrawn.
    SELECT i.id, v.unit_id, c.case_id, c.case_unit_id, c.secret, c.class, c.chapter, v.id::text, false,
        (CASE WHEN i.source = 'violation_found' THEN v.detected_at ELSE v.met_at END AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
        (CASE WHEN i.source = 'violation_found' THEN v.detected_at ELSE v.met_at END AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
    FROM violations v JOIN cls c ON c.case_id = v.case_id JOIN stat_indicators i ON i.source IN ('violation_found', 'violation_remedied')
    WHERE v.withdrawn_at IS NULL AND (i.source = 'violation_found' OR v.met_at IS NOT NULL)
), held AS (
    -- Detention (tạm giam) orders in force or ended, by accused, merged into spells.
    SELECT i.id AS indicator, c.unit_id, c.case_id, c.case_unit_id, c.secret, a.class, a.chapter, a.accused_id::text AS subject,
        (m.start_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, (m.ended_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS end_day
    FROM measures m JOIN cls c ON c.case_id = m.case_id JOIN acc a ON a.accused_id = m.accused_id
        JOIN stat_indicators i ON i.source = 'detention'
    WHERE m.kind = 'detention' AND m.status IN ('active', 'ended')
), held_marked AS (
    -- An order that begins the day after the last one ended (an extension) continues the spell.
    SELECT h.*, CASE WHEN day <= max(coalesce(end_day, 'infinity'::date)) OVER (PARTITION BY indicator, unit_id, subject ORDER BY day, end_day
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) + 1 THEN 0 ELSE 1 END AS starts
    FROM held h
), held_islands AS (
    SELECT h.*, sum(starts) OVER (PARTITION BY indicator, unit_id, subject ORDER BY day, end_day ROWS UNBOUNDED PRECEDING) AS island
    FROM held_marked h
), spells AS (
    SELECT indicator, unit_id, case_id, case_unit_id, secret, class, chapter, subject, true AS span, min(day) AS day,
        CASE WHEN bool_or(end_day IS NULL) THEN NULL ELSE max(end_day) END AS end_day
    FROM held_islands GROUP BY indicator, unit_id, case_id, case_unit_id, secret, class, chapter, subject, island
), every AS (
    SELECT * FROM occ UNION ALL SELECT * FROM spells
)
SELECT e.indicator, e.unit_id, e.case_id, e.case_unit_id, e.secret, e.class, e.chapter, e.subject, e.span, e.day, e.end_day,
    lag(e.end_day) OVER (PARTITION BY e.indicator, e.unit_id, e.subject ORDER BY e.day, e.end_day) AS prev_end
FROM every e
$$;
-- +goose StatementEnd

-- +goose StatementBegin
-- refresh_stat_facts recomputes the facts of some cases; a case whose facts changed has all its
-- rows replaced, so the rollups' triggers see every occurrence of its subjects at once.
CREATE FUNCTION refresh_stat_facts(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    WITH src AS MATERIALIZED (SELECT * FROM stat_facts_of(ids)),
    cur AS MATERIALIZED (SELECT * FROM stat_facts WHERE case_id = ANY(ids)),
    changed AS (SELECT DISTINCT case_id FROM ((SELECT * FROM src EXCEPT ALL SELECT * FROM cur)
        UNION ALL (SELECT * FROM cur EXCEPT ALL SELECT * FROM src)) x),
    gone AS (DELETE FROM stat_facts f WHERE f.case_id IN (SELECT case_id FROM changed))
    INSERT INTO stat_facts SELECT * FROM src WHERE case_id IN (SELECT case_id FROM changed);
$$;

CREATE FUNCTION stat_facts_from_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stat_facts(ARRAY(SELECT DISTINCT x.case_id FROM new_rows x));
    RETURN NULL;
END $$;
CREATE FUNCTION stat_facts_from_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stat_facts(ARRAY(SELECT x.id FROM new_rows x));
    RETURN NULL;
END $$;
CREATE FUNCTION stat_facts_from_charges() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_stat_facts(ARRAY(SELECT DISTINCT a.case_id FROM new_rows x JOIN accused a ON a.id = x.accused_id));
    RETURN NULL;
END $$;

-- stat_delta_sql adds (sign 1) or takes away (sign -1) the facts of a transition table from the
-- counts of their day, month, year and the year so far.
CREATE FUNCTION stat_delta_sql(sign integer, rel text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$
    INSERT INTO stat_counts AS t (grain, period, indicator, unit_id, case_unit_id, secret, class, chapter, n, n_first, ends)
    SELECT g.grain, g.period, e.indicator, e.unit_id, e.case_unit_id, e.secret, e.class, e.chapter,
        %2$s * sum(e.n), %2$s * sum(e.n_first), %2$s * sum(e.ends)
    FROM (SELECT indicator, unit_id, case_unit_id, secret, class, chapter, day, 1 AS n, CASE WHEN prev_end IS NULL THEN 1 ELSE 0 END AS n_first, 0 AS ends
            FROM %1$I
          UNION ALL
          SELECT indicator, unit_id, case_unit_id, secret, class, chapter, end_day, 0, 0, 1 FROM %1$I WHERE span AND end_day IS NOT NULL) e
        CROSS JOIN LATERAL (
            VALUES ('d'::"char", e.day), ('m', date_trunc('month', e.day)::date), ('y', date_trunc('year', e.day)::date)
            UNION ALL
            SELECT 'c'::"char", m::date FROM generate_series(date_trunc('month', e.day), date_trunc('year', e.day) + interval '11 months',
                interval '1 month') m) g(grain, period)
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8 -- one order of locks for every writer
    ON CONFLICT (grain, period, indicator, unit_id, case_unit_id, secret, class, chapter) DO UPDATE
        SET n = t.n + EXCLUDED.n, n_first = t.n_first + EXCLUDED.n_first, ends = t.ends + EXCLUDED.ends
    $f$, rel, sign)
$$;
CREATE FUNCTION stat_facts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stat_delta_sql(1, 'new_rows');
    RETURN NULL;
END $$;
CREATE FUNCTION stat_facts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stat_delta_sql(-1, 'old_rows');
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER stat_facts_ins AFTER INSERT ON stat_facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_inserted();
CREATE TRIGGER stat_facts_del AFTER DELETE ON stat_facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_deleted();

-- Backfill before the source triggers exist.
INSERT INTO stat_facts SELECT * FROM stat_facts_of(ARRAY(SELECT id FROM cases));

CREATE TRIGGER cases_stat_ins AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_cases();
CREATE TRIGGER cases_stat_upd AFTER UPDATE ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_cases();
CREATE TRIGGER decisions_stat_ins AFTER INSERT ON case_decisions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_new();
CREATE TRIGGER measures_stat_ins AFTER INSERT ON measures REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_new();
CREATE TRIGGER measures_stat_upd AFTER UPDATE ON measures REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_new();
CREATE TRIGGER violations_stat_ins AFTER INSERT ON violations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_new();
CREATE TRIGGER violations_stat_upd AFTER UPDATE ON violations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_new();
CREATE TRIGGER charges_stat_ins AFTER INSERT ON charges REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_charges();
CREATE TRIGGER charges_stat_upd AFTER UPDATE ON charges REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_facts_from_charges();

-- +goose Down
DROP TRIGGER charges_stat_upd ON charges;
DROP TRIGGER charges_stat_ins ON charges;
DROP TRIGGER violations_stat_upd ON violations;
DROP TRIGGER violations_stat_ins ON violations;
DROP TRIGGER measures_stat_upd ON measures;
DROP TRIGGER measures_stat_ins ON measures;
DROP TRIGGER decisions_stat_ins ON case_decisions;
DROP TRIGGER cases_stat_upd ON cases;
DROP TRIGGER cases_stat_ins ON cases;
DROP FUNCTION stat_facts_from_charges();
DROP FUNCTION stat_facts_from_cases();
DROP FUNCTION stat_facts_from_new();
DROP FUNCTION refresh_stat_facts(uuid[]);
DROP FUNCTION stat_facts_of(uuid[]);
DROP TABLE stat_counts;
DROP TABLE stat_facts;
DROP FUNCTION stat_facts_deleted();
DROP FUNCTION stat_facts_inserted();
DROP FUNCTION stat_delta_sql(integer, text);
DROP INDEX measures_case_kind_idx;
DROP TABLE penal_chapters;
DROP TABLE stat_indicators;
