-- +goose Up
-- Idempotency keys of POST requests: a client that retries a POST with the same
-- Idempotency-Key gets the first answer again instead of a second record. A key
-- belongs to one user; the row is written (in progress) before the request runs and
-- completed with the answer after; a server error removes it so the retry runs.
CREATE TABLE idempotency_keys (
    user_id      uuid        NOT NULL REFERENCES users (id),
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method       text        NOT NULL,
    path         text        NOT NULL,
    request_hash text        NOT NULL,
    status       integer,
    content_type text        NOT NULL DEFAULT '',
    location     text        NOT NULL DEFAULT '',
    body         bytea,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
