-- +goose Up
-- The case lifecycle: procedural decisions (append-only), accused persons with
-- their charges and preventive measures, and the history of the units a case
-- was handled by. A case's stage changes only through workflow.Transitions, in
-- the transaction that records the decision causing it.

ALTER TABLE cases
    ADD COLUMN report_number     text    NOT NULL DEFAULT '',
    ADD COLUMN summary_procedure boolean NOT NULL DEFAULT false,
    ADD COLUMN joined_into       uuid    REFERENCES cases (id),
    ADD COLUMN split_from        uuid    REFERENCES cases (id);

-- Cases registered before this migration with kind 'case' sat in
-- 'investigation'; they keep it. The old catch-all side states map onto the
-- new ones so that no row holds a stage the table does not know.
UPDATE cases SET stage = 'investigation_suspended' WHERE stage = 'suspended';
UPDATE cases SET stage = 'investigation' WHERE stage = 'transferred';
ALTER TABLE cases ADD CONSTRAINT cases_stage_known CHECK (stage IN ('report_resolution', 'report_suspended', 'not_instituted',
    'institution', 'investigation', 'investigation_suspended', 'supplementary_investigation', 'prosecution',
    'prosecution_suspended', 'first_instance', 'trial_suspended', 'appeal', 'cassation', 'execution', 'closed',
    'terminated', 'joined'));

-- Accused persons (bị can): each has a status of their own, so one accused can
-- be suspended while the others go to trial.
CREATE TABLE accused (
    id           uuid        PRIMARY KEY,
    case_id      uuid        NOT NULL REFERENCES cases (id),
    full_name    text        NOT NULL,
    national_id  text        NOT NULL DEFAULT '' CHECK (national_id = '' OR national_id ~ '^[0-9]{12}$'),
    birth_date   date,
    gender       text        NOT NULL DEFAULT '' CHECK (gender IN ('', 'male', 'female')),
    address      text        NOT NULL DEFAULT '',
    offence_date date        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('suspect', 'pending_approval', 'instituted', 'suspended', 'terminated', 'cancelled')),
    decision_id  uuid,
    version      integer     NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);
CREATE INDEX accused_case_idx ON accused (case_id);
CREATE INDEX accused_national_id_idx ON accused (national_id) WHERE national_id <> '';

-- Procedural decisions (quyết định tố tụng): append-only. A correction is a new
-- decision that supersedes the old one; an approval is a new procuracy decision
-- that answers a pending one (decides_id), at most once.
CREATE TABLE case_decisions (
    id                uuid        PRIMARY KEY,
    case_id           uuid        NOT NULL REFERENCES cases (id),
    seq               integer     NOT NULL CHECK (seq > 0),
    step              text        NOT NULL,
    doc_type          text        NOT NULL,
    number            text        NOT NULL DEFAULT '',
    issuer            text        NOT NULL CHECK (issuer IN ('investigating_agency', 'procuracy', 'court', 'party')),
    issuer_name       text        NOT NULL DEFAULT '',
    signer            text        NOT NULL DEFAULT '',
    issued_on         date        NOT NULL,
    effective_on      date        NOT NULL,
    accused_ids       uuid[]      NOT NULL DEFAULT '{}',
    measure_id        uuid,
    legal_basis       text        NOT NULL DEFAULT '',
    note              text        NOT NULL DEFAULT '',
    file_id           text        NOT NULL DEFAULT '',
    requires_approval boolean     NOT NULL DEFAULT false,
    decides_id        uuid        REFERENCES case_decisions (id),
    outcome           text        NOT NULL DEFAULT '' CHECK (outcome IN ('', 'approve', 'refuse', 'cancel')),
    supersedes_id     uuid        REFERENCES case_decisions (id),
    returned_by       text        NOT NULL DEFAULT '',
    replace_charges   boolean     NOT NULL DEFAULT false,
    from_stage        text        NOT NULL,
    to_stage          text        NOT NULL,
    target_unit_id    bigint      REFERENCES units (id),
    target_case_id    uuid        REFERENCES cases (id),
    unit_id           bigint      NOT NULL REFERENCES units (id),
    recorded_by       uuid        NOT NULL REFERENCES users (id),
    recorded_at       timestamptz NOT NULL,
    CONSTRAINT case_decisions_effective_order CHECK (effective_on >= issued_on)
);
CREATE UNIQUE INDEX case_decisions_case_seq_key ON case_decisions (case_id, seq);
CREATE UNIQUE INDEX case_decisions_one_answer ON case_decisions (decides_id) WHERE decides_id IS NOT NULL;
CREATE UNIQUE INDEX case_decisions_one_correction ON case_decisions (supersedes_id) WHERE supersedes_id IS NOT NULL;
-- Pending approvals are found by this partial index, not by scanning every decision.
CREATE INDEX case_decisions_pending_idx ON case_decisions (case_id) WHERE requires_approval;

ALTER TABLE accused ADD CONSTRAINT accused_decision_fk FOREIGN KEY (decision_id) REFERENCES case_decisions (id);

-- +goose StatementBegin
CREATE FUNCTION case_decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_decisions is append-only: record a superseding decision instead' USING ERRCODE = 'insufficient_privilege';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER case_decisions_no_update BEFORE UPDATE OR DELETE ON case_decisions
    FOR EACH ROW EXECUTE FUNCTION case_decisions_append_only();
CREATE TRIGGER case_decisions_no_truncate BEFORE TRUNCATE ON case_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION case_decisions_append_only();

-- Charges (tội danh): article and clause of the Penal Code per accused, with the
-- class read from the catalog version in force on the offence date. A change of
-- charges ends the old rows (ended_by) and adds new ones; proposed rows await the
-- procuracy's approval of the decision that brought them.
CREATE TABLE charges (
    id           uuid        PRIMARY KEY,
    accused_id   uuid        NOT NULL REFERENCES accused (id),
    article      text        NOT NULL CHECK (article ~ '^[1-9][0-9]{0,2}[a-z]?$'),
    clause       integer     NOT NULL CHECK (clause BETWEEN 0 AND 20),
    point        text        NOT NULL DEFAULT '',
    title        text        NOT NULL DEFAULT '',
    class        text        NOT NULL CHECK (class IN ('less_serious', 'serious', 'very_serious', 'particularly_serious')),
    offence_date date        NOT NULL,
    decision_id  uuid        NOT NULL REFERENCES case_decisions (id),
    ended_by     uuid        REFERENCES case_decisions (id),
    proposed     boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL
);
CREATE INDEX charges_accused_idx ON charges (accused_id);

-- Preventive measures (biện pháp ngăn chặn): one row per order; an extension is a
-- new row continuing the order it extends.
CREATE TABLE measures (
    id           uuid        PRIMARY KEY,
    case_id      uuid        NOT NULL REFERENCES cases (id),
    accused_id   uuid        NOT NULL REFERENCES accused (id),
    kind         text        NOT NULL CHECK (kind IN ('urgent_hold', 'arrest', 'custody', 'detention', 'bail', 'cash_surety', 'residence_ban', 'wanted')),
    stage        text        NOT NULL DEFAULT '' CHECK (stage IN ('', 'investigation', 'prosecution', 'trial', 'after_verdict')),
    start_at     timestamptz NOT NULL,
    ordered_end  date,
    extends_id   uuid        REFERENCES measures (id),
    extension_no integer     NOT NULL DEFAULT 0 CHECK (extension_no >= 0),
    decision_id  uuid        NOT NULL REFERENCES case_decisions (id),
    status       text        NOT NULL CHECK (status IN ('pending_approval', 'active', 'ended', 'refused')),
    ended_at     timestamptz,
    ended_by     uuid        REFERENCES case_decisions (id),
    created_at   timestamptz NOT NULL,
    CONSTRAINT measures_end_after_start CHECK (ordered_end IS NULL OR ordered_end >= (start_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
);
CREATE INDEX measures_accused_idx ON measures (accused_id);
-- Detention expiries across a subtree (issue 4's monitor and the chiefs' dashboard).
CREATE INDEX measures_active_end_idx ON measures (ordered_end) WHERE status = 'active';

-- The units that handled a case before it was transferred (chuyển vụ án): they
-- keep reading its history, read-only.
CREATE TABLE case_unit_history (
    case_id     uuid        NOT NULL REFERENCES cases (id),
    unit_id     bigint      NOT NULL REFERENCES units (id),
    number      text        NOT NULL, -- the case's number in that unit's register
    until       timestamptz NOT NULL,
    decision_id uuid        NOT NULL REFERENCES case_decisions (id),
    PRIMARY KEY (case_id, unit_id, decision_id)
);
CREATE INDEX case_unit_history_unit_idx ON case_unit_history (unit_id, case_id);

-- Who records procedural decisions and who approves: prosecutors on their
-- assigned cases; chiefs and deputies of the unit (the subtree reach lets the
-- transition table's unit levels admit a superior procuracy, e.g. for a
-- cassation protest; own-unit steps are still checked against the case's unit).
INSERT INTO role_permissions (role, action, scope, condition) VALUES
    ('prosecutor', 'case.decide', 'unit', 'assigned'),
    ('deputy_chief', 'case.decide', 'subtree', 'any'),
    ('chief', 'case.decide', 'subtree', 'any'),
    ('deputy_chief', 'case.approve', 'subtree', 'any'),
    ('chief', 'case.approve', 'subtree', 'any');

-- +goose Down
DELETE FROM role_permissions WHERE action IN ('case.decide', 'case.approve');
DROP TABLE case_unit_history;
DROP TABLE measures;
DROP TABLE charges;
ALTER TABLE accused DROP CONSTRAINT accused_decision_fk;
DROP TABLE case_decisions;
DROP FUNCTION case_decisions_append_only();
DROP TABLE accused;
ALTER TABLE cases DROP CONSTRAINT cases_stage_known;
ALTER TABLE cases DROP COLUMN split_from, DROP COLUMN joined_into, DROP COLUMN summary_procedure, DROP COLUMN report_number;
