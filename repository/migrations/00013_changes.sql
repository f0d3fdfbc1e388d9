-- +goose Up
-- The change feed: one row per change to a case's record (the case, its decisions, its
-- clocks' status, its documents), in commit order, so another system follows
-- GET /api/v1/changes instead of polling every case. Rows are written in each
-- transaction's last statements under the audit's advisory lock, so ids grow in the
-- order transactions commit and a reader paging by id never skips a row that commits
-- later with a smaller id.
CREATE TABLE changes (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL,
    case_id   uuid        NOT NULL,
    kind      text        NOT NULL CHECK (kind IN ('case', 'decision', 'clock', 'document')),
    op        text        NOT NULL,
    entity_id text        NOT NULL DEFAULT '',
    status    text        NOT NULL DEFAULT ''
);
CREATE INDEX changes_case_idx ON changes (case_id, id);

-- Up to which id rows were purged: a cursor before it cannot be followed any more.
CREATE TABLE change_feed_state (
    only_row        boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    purged_through  bigint  NOT NULL DEFAULT 0
);
INSERT INTO change_feed_state DEFAULT VALUES;

-- Cases recorded before the feed existed appear in it once, as created, oldest first.
INSERT INTO changes (at, case_id, kind, op, entity_id)
SELECT c.created_at, c.id, 'case', 'created', c.id::text FROM cases c ORDER BY c.created_at, c.id;

-- +goose Down
DROP TABLE change_feed_state;
DROP TABLE changes;
