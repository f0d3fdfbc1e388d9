-- +goose Up
-- The digital case file (hồ sơ vụ án): documents filed in sections and volumes, each with
-- every version of its bytes. The bytes live in object storage (MinIO, or a folder for
-- `make run`); a row points at an object only once the object is stored, and nothing here
-- is ever deleted (legal retention): a document taken out is withdrawn, on the record.

CREATE TABLE case_documents (
    id              uuid        PRIMARY KEY,
    case_id         uuid        NOT NULL REFERENCES cases (id),
    -- The document's number within the case file, in order of filing.
    seq             integer     NOT NULL CHECK (seq > 0),
    section         text        NOT NULL CHECK (section IN ('decisions', 'investigation', 'statements', 'evidence',
                                    'expert_reports', 'court', 'procuracy', 'other')),
    volume          integer     NOT NULL DEFAULT 1 CHECK (volume BETWEEN 1 AND 999),
    title           text        NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    doc_type        text        NOT NULL DEFAULT '' CHECK (length(doc_type) <= 100),
    doc_number      text        NOT NULL DEFAULT '' CHECK (length(doc_number) <= 100),
    doc_date        date,
    decision_id     uuid        REFERENCES case_decisions (id),
    classification  text        NOT NULL CHECK (classification IN ('normal', 'confidential', 'secret')),
    created_by      uuid        NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    current_version integer     NOT NULL CHECK (current_version > 0),
    withdrawn_at    timestamptz,
    withdrawn_by    uuid        REFERENCES users (id),
    withdraw_reason text        NOT NULL DEFAULT '',
    row_version     integer     NOT NULL DEFAULT 1,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL))
);
CREATE UNIQUE INDEX case_documents_seq ON case_documents (case_id, seq);

CREATE TABLE case_document_versions (
    id           uuid        PRIMARY KEY,
    document_id  uuid        NOT NULL REFERENCES case_documents (id),
    n            integer     NOT NULL CHECK (n > 0),
    object_key   text        NOT NULL UNIQUE,
    size         bigint      NOT NULL CHECK (size >= 0),
    sha256       text        NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    content_type text        NOT NULL,
    file_name    text        NOT NULL DEFAULT '' CHECK (length(file_name) <= 255),
    note         text        NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    uploaded_by  uuid        NOT NULL REFERENCES users (id),
    uploaded_at  timestamptz NOT NULL,
    UNIQUE (document_id, n)
);

-- An upload in flight: written before the object is stored and removed in the transaction
-- that commits the version row pointing at it. A row left behind (the process died, the
-- database refused the commit) names an object no version references; the sweeper removes
-- the object, then the row, once the grace period has passed.
CREATE TABLE object_uploads (
    object_key text        PRIMARY KEY,
    case_id    uuid        NOT NULL,
    started_at timestamptz NOT NULL
);
CREATE INDEX object_uploads_started_idx ON object_uploads (started_at);

-- Confidential (mật) documents: beyond the case's team, the chiefs and deputy chiefs of
-- the case's unit and of every unit above it. Secret (tối mật) documents need
-- case.read_secret at the case's own unit, as secret cases do.
INSERT INTO role_permissions (role, action, scope, condition) VALUES
    ('deputy_chief', 'file.read_confidential', 'subtree', 'any'),
    ('chief', 'file.read_confidential', 'subtree', 'any');

-- +goose Down
DELETE FROM role_permissions WHERE action = 'file.read_confidential';
DROP TABLE object_uploads;
DROP TABLE case_document_versions;
DROP TABLE case_documents;
