-- +goose Up
-- The case list's total is a count over the caller's scope, which filters on unit_id and the
-- secret flag (and, for the team check, the id). Covering them lets PostgreSQL answer it with an index-only scan instead of reading
-- every heap page of a province's cases (measured at 1,000,000 cases: 50k heap blocks per count).
CREATE INDEX cases_unit_secret_idx ON cases (unit_id) INCLUDE (secret, id);

-- +goose Down
DROP INDEX cases_unit_secret_idx;
