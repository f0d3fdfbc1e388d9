-- +goose Up
-- The deadline engine's stored state: every clock (thời hạn) of every case as the
-- engine last computed it, the violations (vi phạm về thời hạn) the monitor or a
-- recompute found, and the notifications they cause through a transactional outbox.
--
-- Clocks are recomputed by workflow.Clocks in the transaction of every decision,
-- charge change or measure that affects them, so a list or a dashboard is one
-- indexed query and never runs the engine. Between recomputes only time passes,
-- and the only effect of time on a stored clock is that an open one becomes due
-- soon (warn_at) or missed (latest_due): the monitor applies exactly those two
-- changes with conditional UPDATEs, so several monitors may run at once and each
-- change happens exactly once.

CREATE TABLE case_clocks (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id           uuid        NOT NULL REFERENCES cases (id),
    -- unit_id and secret copy the case's, rewritten by every recompute (a transfer or a
    -- change of secrecy recomputes the case), so that a list across a scope filters and
    -- orders on this table's own index instead of joining every case of the scope first.
    unit_id           bigint      NOT NULL REFERENCES units (id),
    secret            boolean     NOT NULL DEFAULT false,
    -- clock_key names the clock within its case: rule, subject and the occurrence
    -- (a supplementary investigation may run twice), so a recompute updates the
    -- same row and a correction of a date does not make a new clock.
    clock_key         text        NOT NULL,
    rule              text        NOT NULL,
    subject           text        NOT NULL CHECK (subject IN ('case', 'decision', 'measure')),
    subject_id        text        NOT NULL,
    accused_id        uuid        REFERENCES accused (id),
    article           text        NOT NULL,
    name_vi           text        NOT NULL,
    name_en           text        NOT NULL,
    start_at          timestamptz NOT NULL,
    length_unit       text        NOT NULL,
    length_n          integer     NOT NULL,
    extensions_used   integer     NOT NULL DEFAULT 0,
    extensions_left   integer     NOT NULL DEFAULT 0,
    earliest_last_day date        NOT NULL,
    latest_last_day   date        NOT NULL,
    earliest_due      timestamptz NOT NULL,
    latest_due        timestamptz NOT NULL,
    -- warn_at: from this instant the open clock is due soon (the earliest reading
    -- less the rule's warning days).
    warn_at           timestamptz NOT NULL,
    -- lapses: a window (the time to appeal or protest) that closes unused is no
    -- violation; the right lapses and the clock ends cancelled.
    lapses            boolean     NOT NULL DEFAULT false,
    rolled            boolean     NOT NULL DEFAULT false,
    uncovered         boolean     NOT NULL DEFAULT false,
    status            text        NOT NULL CHECK (status IN ('running', 'due_soon', 'met', 'met_late', 'missed', 'stopped', 'cancelled')),
    ended_at          timestamptz,
    explanation_vi    text        NOT NULL,
    explanation_en    text        NOT NULL,
    computed_at       timestamptz NOT NULL,
    status_changed_at timestamptz NOT NULL,
    CONSTRAINT case_clocks_due_order CHECK (earliest_due <= latest_due)
);
CREATE UNIQUE INDEX case_clocks_key ON case_clocks (case_id, clock_key);
-- The monitor's two questions, each answered from a small partial index: which
-- running clocks reached their warning, which open clocks ran out.
CREATE INDEX case_clocks_warn_idx ON case_clocks (warn_at) WHERE status = 'running';
CREATE INDEX case_clocks_open_due_idx ON case_clocks (latest_due) WHERE status IN ('running', 'due_soon');
-- Lists by urgency across a scope: the open clocks of a unit by due date, with
-- secrecy for the scope's condition (measured at 100,000 cases: a province's
-- first page 137 ms when filtered through cases, see docs/architecture.md).
-- The page of a list is chosen from the index alone (ids, due dates, the scope's
-- columns and the rule filter), then only its rows are read.
CREATE INDEX case_clocks_scope_open_idx ON case_clocks (unit_id, latest_due) INCLUDE (secret, case_id, id, rule)
    WHERE status IN ('running', 'due_soon', 'missed');

-- Violations of a time limit: one per clock, found either by the monitor when the
-- clock ran out or by a recompute that found it missed or met late (a decision
-- recorded after the fact). unit_id and prosecutor_id are who was responsible when
-- it was found. A later correction that shows the limit was kept withdraws it.
CREATE TABLE violations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        uuid        NOT NULL REFERENCES cases (id),
    clock_key      text        NOT NULL,
    rule           text        NOT NULL,
    article        text        NOT NULL,
    name_vi        text        NOT NULL,
    name_en        text        NOT NULL,
    subject        text        NOT NULL,
    subject_id     text        NOT NULL,
    accused_id     uuid        REFERENCES accused (id),
    due_at         timestamptz NOT NULL,
    detected_at    timestamptz NOT NULL,
    detected_by    text        NOT NULL CHECK (detected_by IN ('monitor', 'recompute')),
    met_at         timestamptz,
    withdrawn_at   timestamptz,
    unit_id        bigint      NOT NULL REFERENCES units (id),
    prosecutor_id  uuid        REFERENCES users (id)
);
CREATE UNIQUE INDEX violations_clock_key ON violations (case_id, clock_key);
CREATE INDEX violations_unit_idx ON violations (unit_id, detected_at DESC);

-- The transactional outbox: an event row commits with the change it reports
-- (a clock due soon or missed), and the dispatcher delivers it afterwards to each
-- channel, retrying with backoff. dedup_key makes the event exactly-once however
-- many monitors or recomputes see the same change.
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedup_key       text        NOT NULL,
    topic           text        NOT NULL,
    case_id         uuid        REFERENCES cases (id),
    unit_id         bigint      REFERENCES units (id),
    payload         jsonb       NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    delivered_at    timestamptz,
    last_error      text        NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX outbox_dedup_key ON outbox (dedup_key);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at) WHERE delivered_at IS NULL;

-- Delivery receipts: one per event and channel, so a retry after a partial failure
-- never sends twice on a channel that already took the event.
CREATE TABLE outbox_deliveries (
    outbox_id    bigint      NOT NULL REFERENCES outbox (id),
    channel      text        NOT NULL,
    delivered_at timestamptz NOT NULL,
    receipt      text        NOT NULL DEFAULT '',
    PRIMARY KEY (outbox_id, channel)
);

-- In-app notifications (thông báo), per user, made by the in-app channel from the
-- outbox: the case's team and the leaders of its unit.
CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    outbox_id  bigint      NOT NULL REFERENCES outbox (id),
    case_id    uuid        REFERENCES cases (id),
    unit_id    bigint      REFERENCES units (id),
    kind       text        NOT NULL,
    title_vi   text        NOT NULL,
    title_en   text        NOT NULL,
    body_vi    text        NOT NULL,
    body_en    text        NOT NULL,
    created_at timestamptz NOT NULL,
    read_at    timestamptz
);
CREATE UNIQUE INDEX notifications_once ON notifications (user_id, outbox_id);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TABLE outbox_deliveries;
DROP TABLE outbox;
DROP TABLE violations;
DROP TABLE case_clocks;
