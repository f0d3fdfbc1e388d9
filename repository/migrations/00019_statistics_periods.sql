-- +goose Up
-- Period close (khóa số liệu kỳ thống kê): a unit head freezes the figures of a period for their
-- unit's subtree as a signed snapshot; later corrections of what was recorded show as
-- differences against it. A snapshot is never changed or deleted.
CREATE TABLE stat_periods (
    id          uuid        PRIMARY KEY,
    unit_id     bigint      NOT NULL REFERENCES units (id),
    label       text        NOT NULL, -- 2026, 2026-Q3, 2026-11, or from..to
    from_day    date        NOT NULL,
    to_day      date        NOT NULL, -- exclusive
    closed_by   uuid        NOT NULL REFERENCES users (id),
    closed_at   timestamptz NOT NULL,
    note        text        NOT NULL DEFAULT '',
    payload     bytea       NOT NULL, -- the signed document (JSON: definitions and cells), byte for byte
    digest      text        NOT NULL, -- hex SHA-256 of the payload
    key_id      text        NOT NULL,
    signature   text        NOT NULL, -- base64 Ed25519 over the payload
    CHECK (from_day < to_day),
    UNIQUE (unit_id, from_day, to_day)
);
CREATE INDEX stat_periods_unit_idx ON stat_periods (unit_id, from_day DESC);

-- +goose StatementBegin
CREATE FUNCTION stat_periods_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stat_periods is append-only' USING ERRCODE = '55000';
END $$;
-- +goose StatementEnd
CREATE TRIGGER stat_periods_no_change BEFORE UPDATE OR DELETE ON stat_periods FOR EACH ROW EXECUTE FUNCTION stat_periods_append_only();

-- Only a unit's head closes its periods.
INSERT INTO role_permissions (role, action, scope, condition) VALUES ('chief', 'statistics.close', 'unit', 'any');

-- +goose Down
DELETE FROM role_permissions WHERE action = 'statistics.close';
DROP TABLE stat_periods;
DROP FUNCTION stat_periods_append_only();
