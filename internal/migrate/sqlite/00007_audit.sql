-- Signed audit checkpoints, as in PostgreSQL's 00007 (see internal/audit).
-- created_at is INTEGER Unix microseconds (internal/sqldb); position_tx is
-- always 0 here: SQLite positions are the events' seq.

-- +goose Up
CREATE TABLE audit_checkpoints (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      INTEGER NOT NULL,
    streams         INTEGER NOT NULL,
    position_tx     INTEGER NOT NULL,
    position_seq    INTEGER NOT NULL,
    heads_digest    BLOB NOT NULL,
    signature       BLOB NOT NULL,
    key_fingerprint TEXT NOT NULL
) STRICT;

CREATE TABLE audit_checkpoint_heads (
    checkpoint_id INTEGER NOT NULL REFERENCES audit_checkpoints (id) ON DELETE CASCADE,
    stream        TEXT NOT NULL,
    version       INTEGER NOT NULL,
    hash          BLOB NOT NULL,
    PRIMARY KEY (checkpoint_id, stream)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE audit_checkpoint_heads;
DROP TABLE audit_checkpoints;
