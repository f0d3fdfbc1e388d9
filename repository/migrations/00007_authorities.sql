-- +goose Up
-- Who may grant or approve what, by procuracy level (thẩm quyền theo cấp): the levels the
-- transition table was written with, and the extension rows the law gives by level (the third
-- extension of a particularly serious crime's investigation is the Supreme Procuracy's, Điều
-- 172(5) BLTTHS). The 2025 reform abolished the district and high levels and the new wording of
-- these articles was not seen, so they are data a system administrator edits through the API.
-- The application seeds the shipped rows (workflow.DefaultAuthorities) on migrate, inserting only
-- missing keys, so an edit is never overwritten by an upgrade.
-- Every write to the reference tables (the legal calendar, the authorities) takes a revision
-- from one sequence, so the application can keep what it built from them until the highest
-- revision changes.
CREATE SEQUENCE reference_revision;
ALTER TABLE legal_calendar ADD COLUMN revision bigint NOT NULL DEFAULT nextval('reference_revision');

CREATE TABLE authorities (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    step       text        NOT NULL,
    power      text        NOT NULL CHECK (power IN ('record', 'approve')),
    rung       integer     NOT NULL DEFAULT 0 CHECK (rung BETWEEN 0 AND 10), -- the n-th extension; 0: every one
    class      text        NOT NULL DEFAULT '' CHECK (class IN ('', 'less_serious', 'serious', 'very_serious', 'particularly_serious')),
    levels     text[]      NOT NULL DEFAULT '{}', -- empty: the procuracy in charge of the case
    article    text        NOT NULL DEFAULT '' CHECK (char_length(article) <= 200),
    note       text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
    confirmed  boolean     NOT NULL DEFAULT false, -- checked against the text in force
    -- A withdrawn row is kept, so that the next sync of the shipped rows does not bring it back.
    withdrawn  boolean     NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid        REFERENCES users (id), -- NULL for rows seeded from the shipped table
    revision   bigint      NOT NULL DEFAULT nextval('reference_revision')
);
CREATE UNIQUE INDEX authorities_key ON authorities (step, power, rung, class);

INSERT INTO role_permissions (role, action, scope, condition) VALUES
    ('system_admin', 'authority.manage', 'subtree', 'any');

-- +goose Down
DELETE FROM role_permissions WHERE action = 'authority.manage';
DROP TABLE authorities;
ALTER TABLE legal_calendar DROP COLUMN revision;
DROP SEQUENCE reference_revision;
