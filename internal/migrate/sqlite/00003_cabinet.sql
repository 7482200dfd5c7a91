-- The API's own state: callers' keys, sessions, registrations in progress
-- and rate limits, as in PostgreSQL's 00003.

-- +goose Up
CREATE TABLE api_keys (
    key_hash   BLOB PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('website', 'insurer')),
    created_at INTEGER NOT NULL DEFAULT (now()),
    revoked_at INTEGER
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    client_id  TEXT NOT NULL,
    caller     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at   INTEGER
);
CREATE INDEX sessions_client ON sessions (client_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE registrations (
    id             TEXT PRIMARY KEY,
    caller         TEXT NOT NULL,
    iin            TEXT NOT NULL,
    found_in       TEXT NOT NULL CHECK (found_in IN ('kias', 'esbd', 'none')),
    kias_client_id TEXT NOT NULL DEFAULT '',
    first_name     TEXT NOT NULL DEFAULT '',
    last_name      TEXT NOT NULL DEFAULT '',
    phone_on_file  TEXT NOT NULL DEFAULT '',
    phone          TEXT NOT NULL DEFAULT '',
    code_hash      TEXT NOT NULL DEFAULT '',
    code_expires   INTEGER,
    attempts       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX registrations_expires ON registrations (expires_at);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE registrations;
DROP TABLE sessions;
DROP TABLE api_keys;
