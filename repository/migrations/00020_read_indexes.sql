-- +goose Up
-- A case's team, ended assignments included (GET /cases/{id}), read the whole assignments table:
-- 95 ms a case at 1,000,000 cases; only the active ones were indexed by case.
CREATE INDEX case_assignments_case_all_idx ON case_assignments (case_id);

-- The caseload's two slowest reads at 1,000,000 cases (a province: ~190 ms and ~140 ms):
-- the load of the unit's prosecutors, now answered from two covering indexes without visiting
-- the case facts or the assignments, and the nearest ends of custody and detention, now read in
-- date order from the orders in force until 20 are found in scope.
CREATE INDEX case_facts_unit_open_idx ON case_facts (unit_id, stage) INCLUDE (case_id, secret, overdue_clocks);
CREATE INDEX case_assignments_case_cover_idx ON case_assignments (case_id) INCLUDE (user_id, role) WHERE ended_at IS NULL;
CREATE INDEX measures_held_end_idx ON measures (ordered_end, id) WHERE status = 'active' AND kind IN ('custody', 'detention');

-- +goose Down
DROP INDEX measures_held_end_idx;
DROP INDEX case_assignments_case_cover_idx;
DROP INDEX case_facts_unit_open_idx;
DROP INDEX case_assignments_case_all_idx;
