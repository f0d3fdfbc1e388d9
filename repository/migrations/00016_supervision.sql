-- +goose Up
-- Supervision across levels (kiểm sát, chỉ đạo của Viện kiểm sát cấp trên) as records of their own:
-- instructions (chỉ đạo) of a unit's leaders on a case of their unit or of a unit below, tracked
-- until the issuer accepts the report; requests for a subordinate unit's case file (yêu cầu
-- chuyển hồ sơ) and their answers; and each user's subscriptions (theo dõi) to the cases that
-- meet criteria. Cases gain the public-interest flag (dư luận xã hội quan tâm) one criterion reads.
-- 00017 and 00018 belong to other changes.

-- Set by the case's prosecutors and leaders (PUT /cases/{id}/public-interest), through the
-- case's version like every case edit; the partial index serves the subscriptions that ask for it.
ALTER TABLE cases ADD COLUMN public_interest boolean NOT NULL DEFAULT false;
CREATE INDEX cases_public_interest_idx ON cases (unit_id) WHERE public_interest;

-- An instruction is addressed to the unit in charge of the case when it is issued (and, if named,
-- one of its people); it stays addressed there if the case later moves, since that unit was told.
CREATE TABLE instructions (
    id                uuid        PRIMARY KEY,
    case_id           uuid        NOT NULL REFERENCES cases (id),
    issuer_unit_id    bigint      NOT NULL REFERENCES units (id),
    addressee_unit_id bigint      NOT NULL REFERENCES units (id),
    addressee_user_id uuid        REFERENCES users (id),
    body              text        NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    due_on            date        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('open', 'answered', 'closed', 'cancelled')),
    response          text        NOT NULL DEFAULT '' CHECK (length(response) <= 10000),
    responded_by      uuid        REFERENCES users (id),
    responded_at      timestamptz,
    -- The issuing side's last word: why it sent the report back, accepted it or cancelled.
    note              text        NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    reopened          integer     NOT NULL DEFAULT 0 CHECK (reopened >= 0),
    closed_at         timestamptz,
    created_by        uuid        NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    CONSTRAINT instructions_answered_has_response CHECK (status NOT IN ('answered', 'closed') OR (response <> '' AND responded_at IS NOT NULL)),
    CONSTRAINT instructions_final_has_closed_at CHECK (status NOT IN ('closed', 'cancelled') OR closed_at IS NOT NULL)
);
CREATE INDEX instructions_case_idx ON instructions (case_id, created_at DESC);
-- The worklists: what a unit received and what it issued, open ones by due date.
CREATE INDEX instructions_addressee_idx ON instructions (addressee_unit_id, status, due_on);
CREATE INDEX instructions_issuer_idx ON instructions (issuer_unit_id, status, due_on);

-- A request of a unit strictly above the case's unit for its file; case_unit_id is the unit asked.
CREATE TABLE file_requests (
    id                uuid        PRIMARY KEY,
    case_id           uuid        NOT NULL REFERENCES cases (id),
    requester_unit_id bigint      NOT NULL REFERENCES units (id),
    case_unit_id      bigint      NOT NULL REFERENCES units (id),
    reason            text        NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
    due_on            date        NOT NULL,
    status            text        NOT NULL CHECK (status IN ('pending', 'sent', 'refused')),
    answer_note       text        NOT NULL DEFAULT '' CHECK (length(answer_note) <= 4000),
    answered_by       uuid        REFERENCES users (id),
    answered_at       timestamptz,
    requested_by      uuid        NOT NULL REFERENCES users (id),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    CONSTRAINT file_requests_not_own_unit CHECK (requester_unit_id <> case_unit_id),
    CONSTRAINT file_requests_refusal_has_reason CHECK (status <> 'refused' OR answer_note <> ''),
    CONSTRAINT file_requests_answer_has_time CHECK (status = 'pending' OR answered_at IS NOT NULL)
);
-- One pending request per case and requesting unit: a second is a duplicate (409).
CREATE UNIQUE INDEX file_requests_one_pending ON file_requests (case_id, requester_unit_id) WHERE status = 'pending';
CREATE INDEX file_requests_case_unit_idx ON file_requests (case_unit_id, status, due_on);
CREATE INDEX file_requests_requester_idx ON file_requests (requester_unit_id, status, due_on);

CREATE TABLE subscriptions (
    id                  uuid        PRIMARY KEY,
    user_id             uuid        NOT NULL REFERENCES users (id),
    name                text        NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    unit_id             bigint      REFERENCES units (id),
    include_subunits    boolean     NOT NULL DEFAULT true,
    min_class           text        NOT NULL DEFAULT '' CHECK (min_class IN ('', 'less_serious', 'serious', 'very_serious', 'particularly_serious')),
    detention_over_days integer     NOT NULL DEFAULT 0 CHECK (detention_over_days BETWEEN 0 AND 3650),
    public_interest     boolean     NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    CONSTRAINT subscriptions_has_criterion CHECK (min_class <> '' OR detention_over_days > 0 OR public_interest)
);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, created_at, id);

INSERT INTO role_permissions (role, action, scope, condition) VALUES
    -- Chiefs and deputy chiefs instruct on the cases of their unit and of the units below it.
    ('chief', 'instruction.issue', 'subtree', 'any'),
    ('deputy_chief', 'instruction.issue', 'subtree', 'any'),
    -- The addressed unit reports: its leaders, and prosecutors on the case's team.
    ('chief', 'instruction.respond', 'unit', 'any'),
    ('deputy_chief', 'instruction.respond', 'unit', 'any'),
    ('prosecutor', 'instruction.respond', 'unit', 'assigned'),
    -- A superior unit's leaders and prosecutors ask for a case file of a unit below (never their own).
    ('chief', 'file_request.create', 'subtree', 'any'),
    ('deputy_chief', 'file_request.create', 'subtree', 'any'),
    ('prosecutor', 'file_request.create', 'subtree', 'any'),
    -- The unit asked answers through its leaders.
    ('chief', 'file_request.answer', 'unit', 'any'),
    ('deputy_chief', 'file_request.answer', 'unit', 'any'),
    -- Public interest is marked by those who work the case.
    ('chief', 'case.mark_public_interest', 'unit', 'any'),
    ('deputy_chief', 'case.mark_public_interest', 'unit', 'any'),
    ('prosecutor', 'case.mark_public_interest', 'unit', 'assigned');

-- +goose Down
DELETE FROM role_permissions WHERE action IN ('instruction.issue', 'instruction.respond', 'file_request.create', 'file_request.answer',
    'case.mark_public_interest');
DROP TABLE subscriptions;
DROP TABLE file_requests;
DROP TABLE instructions;
DROP INDEX cases_public_interest_idx;
ALTER TABLE cases DROP COLUMN public_interest;
