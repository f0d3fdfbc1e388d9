-- +goose Up
-- The chiefs' caseload at any level in a few milliseconds: one row of facts per case (its
-- unit, secrecy, stage, the day it was received and closed, how many of its time limits are
-- overdue or due soon, how many of its people are held, how many violations are open), kept
-- true by triggers on the tables they come from, and three rollups of those facts kept by
-- triggers on the facts. A caseload sums a few hundred rollup rows instead of reading every
-- case of the subtree; the secret cases a caller reaches only through a team are counted from
-- the facts. The drill-down filters of the case list read the same facts.

CREATE TABLE case_facts (
    case_id         uuid    PRIMARY KEY REFERENCES cases (id) ON DELETE CASCADE,
    unit_id         bigint  NOT NULL,
    secret          boolean NOT NULL,
    stage           text    NOT NULL,
    received_day    date    NOT NULL,
    closed_on       date,
    overdue_clocks  integer NOT NULL DEFAULT 0,
    due_soon_clocks integer NOT NULL DEFAULT 0,
    held            integer NOT NULL DEFAULT 0,
    open_violations integer NOT NULL DEFAULT 0
);
CREATE INDEX case_facts_unit_idx ON case_facts (unit_id, secret);

CREATE TABLE caseload_stage_counts (
    unit_id          bigint  NOT NULL,
    secret           boolean NOT NULL,
    stage            text    NOT NULL,
    n                bigint  NOT NULL DEFAULT 0,
    overdue_cases    bigint  NOT NULL DEFAULT 0,
    overdue_clocks   bigint  NOT NULL DEFAULT 0,
    due_soon_cases   bigint  NOT NULL DEFAULT 0,
    due_soon_clocks  bigint  NOT NULL DEFAULT 0,
    held             bigint  NOT NULL DEFAULT 0,
    held_cases       bigint  NOT NULL DEFAULT 0,
    open_violations  bigint  NOT NULL DEFAULT 0,
    violation_cases  bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, secret, stage)
);
CREATE TABLE caseload_day_counts (
    unit_id  bigint  NOT NULL,
    secret   boolean NOT NULL,
    day      date    NOT NULL,
    received bigint  NOT NULL DEFAULT 0,
    closed   bigint  NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, secret, day)
);

-- The facts read a case's measures by case (until now only by accused).
CREATE INDEX measures_case_idx ON measures (case_id) WHERE status = 'active';

-- What the facts of every case are, computed from the tables they come from; filtered by case id,
-- the subqueries run for the chosen cases only.
CREATE VIEW case_facts_source AS
SELECT c.id AS case_id, c.unit_id, c.secret, c.stage, (c.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS received_day,
    CASE WHEN c.stage IN ('closed', 'terminated', 'not_instituted', 'joined') THEN
        (SELECT max(d.effective_on) FROM case_decisions d WHERE d.case_id = c.id AND d.to_stage = c.stage) END AS closed_on,
    (SELECT count(*) FROM case_clocks k WHERE k.case_id = c.id AND k.status = 'missed')::integer AS overdue_clocks,
    (SELECT count(*) FROM case_clocks k WHERE k.case_id = c.id AND k.status = 'due_soon')::integer AS due_soon_clocks,
    (SELECT count(*) FROM measures m WHERE m.case_id = c.id AND m.status = 'active' AND m.kind IN ('custody', 'detention'))::integer AS held,
    (SELECT count(*) FROM violations v WHERE v.case_id = c.id AND v.withdrawn_at IS NULL AND v.met_at IS NULL)::integer AS open_violations
FROM cases c;

-- +goose StatementBegin
-- refresh_case_facts recomputes the facts of some cases (a statement's worth) from their source.
CREATE FUNCTION refresh_case_facts(ids uuid[]) RETURNS void LANGUAGE sql AS $$
    DELETE FROM case_facts f WHERE f.case_id = ANY(ids) AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = f.case_id);
    INSERT INTO case_facts (case_id, unit_id, secret, stage, received_day, closed_on, overdue_clocks, due_soon_clocks, held, open_violations)
    SELECT case_id, unit_id, secret, stage, received_day, closed_on, overdue_clocks, due_soon_clocks, held, open_violations
    FROM case_facts_source WHERE case_id = ANY(ids)
    ON CONFLICT (case_id) DO UPDATE SET unit_id = EXCLUDED.unit_id, secret = EXCLUDED.secret, stage = EXCLUDED.stage,
        received_day = EXCLUDED.received_day, closed_on = EXCLUDED.closed_on, overdue_clocks = EXCLUDED.overdue_clocks,
        due_soon_clocks = EXCLUDED.due_soon_clocks, held = EXCLUDED.held, open_violations = EXCLUDED.open_violations
    WHERE (case_facts.unit_id, case_facts.secret, case_facts.stage, case_facts.received_day, case_facts.closed_on, case_facts.overdue_clocks,
        case_facts.due_soon_clocks, case_facts.held, case_facts.open_violations) IS DISTINCT FROM
        (EXCLUDED.unit_id, EXCLUDED.secret, EXCLUDED.stage, EXCLUDED.received_day, EXCLUDED.closed_on, EXCLUDED.overdue_clocks,
        EXCLUDED.due_soon_clocks, EXCLUDED.held, EXCLUDED.open_violations);
$$;

-- The source tables: every statement refreshes the facts of the cases it touched.
CREATE FUNCTION case_facts_from_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_case_facts(ARRAY(SELECT DISTINCT x.case_id FROM new_rows x));
    RETURN NULL;
END $$;
CREATE FUNCTION case_facts_from_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_case_facts(ARRAY(SELECT DISTINCT x.case_id FROM old_rows x));
    RETURN NULL;
END $$;
CREATE FUNCTION case_facts_from_cases() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM refresh_case_facts(ARRAY(SELECT x.id FROM new_rows x));
    RETURN NULL;
END $$;

-- The facts: every change moves the rollups by the difference. caseload_delta_sql is the one
-- statement that adds (sign 1) or takes away (sign -1) the rows of a transition table; the
-- trigger functions run it on their own transition tables.
CREATE FUNCTION caseload_delta_sql(sign integer, rel text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT format($f$
    WITH r AS (SELECT * FROM %1$I), s AS (
        INSERT INTO caseload_stage_counts AS t (unit_id, secret, stage, n, overdue_cases, overdue_clocks, due_soon_cases, due_soon_clocks,
            held, held_cases, open_violations, violation_cases)
        SELECT unit_id, secret, stage, %2$s * count(*), %2$s * count(*) FILTER (WHERE overdue_clocks > 0), %2$s * sum(overdue_clocks),
            %2$s * count(*) FILTER (WHERE due_soon_clocks > 0), %2$s * sum(due_soon_clocks), %2$s * sum(held),
            %2$s * count(*) FILTER (WHERE held > 0), %2$s * sum(open_violations), %2$s * count(*) FILTER (WHERE open_violations > 0)
        FROM r GROUP BY unit_id, secret, stage
        ON CONFLICT (unit_id, secret, stage) DO UPDATE SET n = t.n + EXCLUDED.n, overdue_cases = t.overdue_cases + EXCLUDED.overdue_cases,
            overdue_clocks = t.overdue_clocks + EXCLUDED.overdue_clocks, due_soon_cases = t.due_soon_cases + EXCLUDED.due_soon_cases,
            due_soon_clocks = t.due_soon_clocks + EXCLUDED.due_soon_clocks, held = t.held + EXCLUDED.held, held_cases = t.held_cases + EXCLUDED.held_cases,
            open_violations = t.open_violations + EXCLUDED.open_violations, violation_cases = t.violation_cases + EXCLUDED.violation_cases
        RETURNING 1)
    INSERT INTO caseload_day_counts AS t (unit_id, secret, day, received, closed)
    SELECT unit_id, secret, day, %2$s * sum(rec), %2$s * sum(clo) FROM (
        SELECT unit_id, secret, received_day AS day, 1 AS rec, 0 AS clo FROM r
        UNION ALL SELECT unit_id, secret, closed_on, 0, 1 FROM r WHERE closed_on IS NOT NULL) u
    GROUP BY unit_id, secret, day
    ON CONFLICT (unit_id, secret, day) DO UPDATE SET received = t.received + EXCLUDED.received, closed = t.closed + EXCLUDED.closed
    $f$, rel, sign)
$$;
CREATE FUNCTION caseload_facts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE caseload_delta_sql(1, 'new_rows');
    RETURN NULL;
END $$;
CREATE FUNCTION caseload_facts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE caseload_delta_sql(-1, 'old_rows');
    RETURN NULL;
END $$;
CREATE FUNCTION caseload_facts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE caseload_delta_sql(-1, 'old_rows');
    EXECUTE caseload_delta_sql(1, 'new_rows');
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER case_facts_ins AFTER INSERT ON case_facts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION caseload_facts_inserted();
CREATE TRIGGER case_facts_del AFTER DELETE ON case_facts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION caseload_facts_deleted();
CREATE TRIGGER case_facts_upd AFTER UPDATE ON case_facts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION caseload_facts_updated();

-- Backfill, before the source triggers exist: the facts of every case, and through the facts'
-- triggers their rollups.
INSERT INTO case_facts SELECT * FROM case_facts_source;

CREATE TRIGGER cases_facts_ins AFTER INSERT ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_cases();
CREATE TRIGGER cases_facts_upd AFTER UPDATE ON cases REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_cases();
CREATE TRIGGER clocks_facts_ins AFTER INSERT ON case_clocks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();
CREATE TRIGGER clocks_facts_upd AFTER UPDATE ON case_clocks REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();
CREATE TRIGGER clocks_facts_del AFTER DELETE ON case_clocks REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_old();
CREATE TRIGGER measures_facts_ins AFTER INSERT ON measures REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();
CREATE TRIGGER measures_facts_upd AFTER UPDATE ON measures REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();
CREATE TRIGGER violations_facts_ins AFTER INSERT ON violations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();
CREATE TRIGGER violations_facts_upd AFTER UPDATE ON violations REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();
CREATE TRIGGER decisions_facts_ins AFTER INSERT ON case_decisions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION case_facts_from_new();

-- +goose Down
DROP TRIGGER decisions_facts_ins ON case_decisions;
DROP TRIGGER violations_facts_upd ON violations;
DROP TRIGGER violations_facts_ins ON violations;
DROP TRIGGER measures_facts_upd ON measures;
DROP TRIGGER measures_facts_ins ON measures;
DROP TRIGGER clocks_facts_del ON case_clocks;
DROP TRIGGER clocks_facts_upd ON case_clocks;
DROP TRIGGER clocks_facts_ins ON case_clocks;
DROP TRIGGER cases_facts_upd ON cases;
DROP TRIGGER cases_facts_ins ON cases;
DROP TABLE caseload_day_counts;
DROP TABLE caseload_stage_counts;
DROP TABLE case_facts;
DROP FUNCTION caseload_facts_updated();
DROP FUNCTION caseload_facts_deleted();
DROP FUNCTION caseload_facts_inserted();
DROP FUNCTION caseload_delta_sql(integer, text);
DROP FUNCTION case_facts_from_cases();
DROP FUNCTION case_facts_from_old();
DROP FUNCTION case_facts_from_new();
DROP FUNCTION refresh_case_facts(uuid[]);
DROP VIEW case_facts_source;
DROP INDEX measures_case_idx;
