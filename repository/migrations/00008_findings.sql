-- +goose Up
-- Procedural defects (vi phạm tố tụng) found in a case's record by workflow.Defects,
-- and the procuracy's answers to them: recommendations (kiến nghị) and requests
-- (yêu cầu) to the investigating body, tracked from draft to resolution.
--
-- 00007 is reserved for another change; goose applies files by version number and
-- does not need the numbers to be contiguous.

-- One row per case and finding key (code and subjects: workflow.Finding.Key). The
-- checker runs in the transaction of every change that recomputes the case's clocks;
-- a finding no longer produced gets resolved_at, and one that comes back is open
-- again (resolved_at NULL) on the same row, so a recommendation keeps pointing at it.
CREATE TABLE case_findings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      uuid        NOT NULL REFERENCES cases (id),
    finding_key  text        NOT NULL,
    code         text        NOT NULL,
    article      text        NOT NULL,
    severity     text        NOT NULL CHECK (severity IN ('violation', 'warning')),
    message_vi   text        NOT NULL,
    message_en   text        NOT NULL,
    -- The decisions the defect concerns, the offending one first (ids of append-only
    -- case_decisions rows; an array cannot carry a foreign key).
    decision_ids uuid[]      NOT NULL DEFAULT '{}',
    measure_id   uuid        REFERENCES measures (id),
    accused_id   uuid        REFERENCES accused (id),
    -- The act the checker suggests: request (yêu cầu), recommendation (kiến nghị), or
    -- '' when the defect is not the investigating body's.
    remedy       text        NOT NULL DEFAULT '' CHECK (remedy IN ('', 'request', 'recommendation')),
    found_at     timestamptz NOT NULL,
    resolved_at  timestamptz,
    updated_at   timestamptz NOT NULL
);
CREATE UNIQUE INDEX case_findings_key ON case_findings (case_id, finding_key);
-- The open findings across a scope, newest first (the chief's worklist).
CREATE INDEX case_findings_open_idx ON case_findings (case_id, found_at DESC) WHERE resolved_at IS NULL;

-- Recommendations (kiến nghị) and requests (yêu cầu) of the procuracy to the
-- investigating body. A draft is generated from a finding (its message and article)
-- or written freely; its text is edited while it is a draft, then it is sent (with
-- its number and date, by a leader), answered, resolved, or withdrawn.
CREATE TABLE recommendations (
    id          uuid        PRIMARY KEY,
    case_id     uuid        NOT NULL REFERENCES cases (id),
    finding_id  bigint      REFERENCES case_findings (id),
    kind        text        NOT NULL CHECK (kind IN ('recommendation', 'request')),
    addressee   text        NOT NULL CHECK (length(addressee) BETWEEN 1 AND 300),
    subject     text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
    body        text        NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    status      text        NOT NULL CHECK (status IN ('draft', 'sent', 'answered', 'resolved', 'withdrawn')),
    number      text        NOT NULL DEFAULT '',
    sent_on     date,
    -- due_on: the reply date the procuracy sets in its letter; the Code fixes no single
    -- reply period for every recommendation, so it is optional.
    due_on      date,
    answer_note text        NOT NULL DEFAULT '',
    answered_at timestamptz,
    closed_at   timestamptz,
    created_by  uuid        NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    CONSTRAINT recommendations_sent_has_number CHECK (status IN ('draft', 'withdrawn') OR (number <> '' AND sent_on IS NOT NULL)),
    CONSTRAINT recommendations_due_after_sent CHECK (due_on IS NULL OR sent_on IS NULL OR due_on >= sent_on)
);
-- At most one recommendation in progress per finding: a second draft for the same
-- defect is a duplicate (409), while a withdrawn or resolved one leaves room for a new one.
CREATE UNIQUE INDEX recommendations_one_open ON recommendations (finding_id) WHERE status IN ('draft', 'sent', 'answered');
CREATE INDEX recommendations_case_idx ON recommendations (case_id, created_at DESC);

-- +goose Down
DROP TABLE recommendations;
DROP TABLE case_findings;
