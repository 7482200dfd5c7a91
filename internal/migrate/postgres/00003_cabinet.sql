-- The website API's own state (adapters/cabinet): callers' API keys, client
-- sessions, registrations in progress and rate-limit windows. None of it is
-- part of the event log: it is access control, not history.

-- +goose Up
CREATE TABLE api_keys (
    key_hash   bytea PRIMARY KEY,          -- SHA-256 of the key; the key itself is shown once
    name       text NOT NULL UNIQUE,       -- the caller, e.g. "website"
    role       text NOT NULL CHECK (role IN ('website', 'insurer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY,          -- SHA-256 of the bearer token
    client_id  uuid NOT NULL,
    caller     text NOT NULL,              -- the API key name that opened it
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz
);
CREATE INDEX sessions_client ON sessions (client_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- A registration between StartRegistration and ConfirmRegistration. It holds
-- what the client will be registered with, lives for minutes and is deleted
-- when confirmed or expired.
CREATE TABLE registrations (
    id             uuid PRIMARY KEY,
    caller         text NOT NULL,
    iin            text NOT NULL,
    found_in       text NOT NULL CHECK (found_in IN ('kias', 'esbd', 'none')),
    kias_client_id text NOT NULL DEFAULT '',
    first_name     text NOT NULL DEFAULT '',
    last_name      text NOT NULL DEFAULT '',
    phone_on_file  text NOT NULL DEFAULT '',
    phone          text NOT NULL DEFAULT '',   -- where the code went
    code_hash      text NOT NULL DEFAULT '',
    code_expires   timestamptz,
    attempts       int NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL
);
CREATE INDEX registrations_expires ON registrations (expires_at);

-- Fixed-window counters for rate limits shared by every instance.
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    count        int NOT NULL
);

-- +goose Down
DROP TABLE rate_limits;
DROP TABLE registrations;
DROP TABLE sessions;
DROP TABLE api_keys;
