-- +goose Up
-- Court hearings (phiên tòa) the procuracy attends: first-instance (sơ thẩm), appeal (phúc thẩm)
-- and cassation or reopening (giám đốc thẩm, tái thẩm) hearings of a case, with the prosecutor who
-- practises prosecution at the hearing (thực hành quyền công tố tại phiên tòa). Chiefs follow them
-- across their unit and every unit below it by date: the hearing calendar (lịch xét xử).
--
-- unit_id is the case's unit when the hearing was scheduled: the calendar reads its own copy, so a
-- unit's month is one range scan of (unit_id, scheduled_at). A hearing leaves 'scheduled' once:
-- held, postponed (hoãn phiên tòa), adjourned (tạm ngừng phiên tòa) or cancelled; a postponed or
-- adjourned hearing points to nothing, its next sitting points back to it (rescheduled_from,
-- unique: a hearing is rescheduled at most once), so the chain is the hearing's history.
CREATE TABLE hearings (
    id                  uuid        PRIMARY KEY,
    case_id             uuid        NOT NULL REFERENCES cases (id),
    unit_id             bigint      NOT NULL REFERENCES units (id),
    level               text        NOT NULL CHECK (level IN ('first_instance', 'appeal', 'cassation')),
    court_name          text        NOT NULL CHECK (char_length(court_name) BETWEEN 1 AND 300),
    scheduled_at        timestamptz NOT NULL,
    expected_end        timestamptz,
    place               text        NOT NULL DEFAULT '' CHECK (char_length(place) <= 300),
    room                text        NOT NULL DEFAULT '' CHECK (char_length(room) <= 100),
    prosecutor_id       uuid        NOT NULL REFERENCES users (id),
    note                text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    status              text        NOT NULL CHECK (status IN ('scheduled', 'held', 'postponed', 'adjourned', 'cancelled')),
    -- Why it was postponed, adjourned or cancelled, or what happened at a hearing held.
    status_note         text        NOT NULL DEFAULT '' CHECK (char_length(status_note) <= 2000),
    status_at           timestamptz,
    status_by           uuid        REFERENCES users (id),
    rescheduled_from    uuid        UNIQUE REFERENCES hearings (id),
    -- The decision that set the hearing (the court's decision to bring the case to trial, the
    -- appeal or protest) and the one that came out of it (the judgment), when recorded.
    decision_id         uuid        REFERENCES case_decisions (id),
    outcome_decision_id uuid        REFERENCES case_decisions (id),
    version             integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by          uuid        NOT NULL REFERENCES users (id),
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    CONSTRAINT hearings_end_after_start CHECK (expected_end IS NULL OR expected_end > scheduled_at),
    CONSTRAINT hearings_status_at CHECK ((status = 'scheduled') = (status_at IS NULL)),
    CONSTRAINT hearings_reason CHECK (status NOT IN ('postponed', 'adjourned', 'cancelled') OR status_note <> '')
);
-- The calendar: a unit's (or a subtree's units') hearings in a period, in date order.
CREATE INDEX hearings_calendar_idx ON hearings (unit_id, scheduled_at, id);
CREATE INDEX hearings_case_idx ON hearings (case_id, scheduled_at, id);
CREATE INDEX hearings_prosecutor_idx ON hearings (prosecutor_id, scheduled_at);
-- A case has at most one hearing of a level waiting to be held: the next sitting of a postponed one
-- is scheduled in the same transaction that marks it postponed.
CREATE UNIQUE INDEX hearings_one_scheduled ON hearings (case_id, level) WHERE status = 'scheduled';

-- The change feed carries hearings too. The kinds are extended from whatever the constraint lists
-- now (other migrations may have added theirs), not rewritten from a fixed list.
-- +goose StatementBegin
DO $$
DECLARE
    con   text;
    kinds text[];
BEGIN
    SELECT conname, (SELECT array_agg(m[1] ORDER BY m[1]) FROM regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g') AS m)
      INTO con, kinds
      FROM pg_constraint WHERE conrelid = 'changes'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%kind%';
    IF con IS NOT NULL THEN
        EXECUTE format('ALTER TABLE changes DROP CONSTRAINT %I', con);
    END IF;
    IF NOT 'hearing' = ANY(coalesce(kinds, '{}')) THEN
        kinds := coalesce(kinds, '{}') || 'hearing'::text;
    END IF;
    EXECUTE format('ALTER TABLE changes ADD CONSTRAINT changes_kind_check CHECK (kind IN (%s))',
        (SELECT string_agg(quote_literal(k), ', ' ORDER BY k) FROM unnest(kinds) AS k));
END;
$$;
-- +goose StatementEnd

-- Who sees and who schedules hearings. Reading follows case.read (a calendar shows only hearings
-- of cases the reader may read, secret ones included only for their team and their unit's chiefs);
-- a separate action lets an administrator or a service client (a court's calendar sync) read the
-- calendar without the case files. Scheduling and recording what became of a hearing: the case's
-- prosecutors on its team and its chiefs; the subtree reach of the leaders lets a superior unit
-- schedule an appeal or cassation hearing, which its own prosecutors attend (the service keeps
-- first-instance hearings to the case's own unit).
INSERT INTO role_permissions (role, action, scope, condition) VALUES
    ('clerk', 'hearing.read', 'unit', 'any'),
    ('prosecutor', 'hearing.read', 'unit', 'any'),
    ('deputy_chief', 'hearing.read', 'subtree', 'any'),
    ('chief', 'hearing.read', 'subtree', 'any'),
    ('auditor', 'hearing.read', 'subtree', 'any'),
    ('service', 'hearing.read', 'subtree', 'any'),
    ('prosecutor', 'hearing.schedule', 'unit', 'assigned'),
    ('deputy_chief', 'hearing.schedule', 'subtree', 'any'),
    ('chief', 'hearing.schedule', 'subtree', 'any');

-- +goose Down
DELETE FROM role_permissions WHERE action IN ('hearing.read', 'hearing.schedule');
DELETE FROM changes WHERE kind = 'hearing';
-- +goose StatementBegin
DO $$
DECLARE
    con   text;
    kinds text[];
BEGIN
    SELECT conname, (SELECT array_agg(m[1] ORDER BY m[1]) FROM regexp_matches(pg_get_constraintdef(oid), '''([a-z_]+)''', 'g') AS m)
      INTO con, kinds
      FROM pg_constraint WHERE conrelid = 'changes'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%kind%';
    IF con IS NOT NULL THEN
        EXECUTE format('ALTER TABLE changes DROP CONSTRAINT %I', con);
        EXECUTE format('ALTER TABLE changes ADD CONSTRAINT %I CHECK (kind IN (%s))', con,
            (SELECT string_agg(quote_literal(k), ', ' ORDER BY k) FROM unnest(array_remove(kinds, 'hearing')) AS k));
    END IF;
END;
$$;
-- +goose StatementEnd
DROP TABLE hearings;
