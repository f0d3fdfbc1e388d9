-- +goose Up
-- The caseload's drill-down lists (the cases behind "overdue", "due soon", "held", "open
-- violations") look up the few cases carrying the flag first, by unit, then fetch them by id:
-- at a million cases a province's overdue list read every case of the province and probed its
-- clocks (3 s); through these indexes it reads the flagged cases only.
CREATE INDEX case_facts_overdue_idx ON case_facts (unit_id) INCLUDE (case_id) WHERE overdue_clocks > 0;
CREATE INDEX case_facts_due_soon_idx ON case_facts (unit_id) INCLUDE (case_id) WHERE due_soon_clocks > 0;
CREATE INDEX case_facts_held_idx ON case_facts (unit_id) INCLUDE (case_id) WHERE held > 0;
CREATE INDEX case_facts_violations_idx ON case_facts (unit_id) INCLUDE (case_id) WHERE open_violations > 0;

-- +goose Down
DROP INDEX case_facts_violations_idx;
DROP INDEX case_facts_held_idx;
DROP INDEX case_facts_due_soon_idx;
DROP INDEX case_facts_overdue_idx;
