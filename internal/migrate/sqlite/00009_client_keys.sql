-- Clients' data keys, as in PostgreSQL's 00009; times in Unix microseconds.

-- +goose Up
CREATE TABLE client_keys (
    client_id    TEXT PRIMARY KEY,
    wrapped      BLOB,
    created_at   INTEGER NOT NULL,
    destroyed_at INTEGER,
    CONSTRAINT client_keys_destroyed CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
);

-- +goose Down
DROP TABLE client_keys;
