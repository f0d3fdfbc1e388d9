-- +goose Up
-- Service accounts of other procuracy systems and agencies (police, courts): a client id and
-- secret (OAuth 2.0 client credentials) issue short access tokens for a service user, bound to
-- that user's unit grants and narrowed to a set of actions (scopes). Only the secret's hash is
-- kept; a revoked client's tokens stop working at once.
CREATE TABLE service_clients (
    client_id    text        PRIMARY KEY CHECK (client_id ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
    user_id      uuid        NOT NULL REFERENCES users (id),
    secret_hash  text        NOT NULL,
    scopes       text[]      NOT NULL CHECK (cardinality(scopes) > 0),
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

-- +goose Down
DROP TABLE service_clients;
