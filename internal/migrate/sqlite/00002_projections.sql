-- Read-model generations and their checkpoints (see projections/doc.go),
-- as in PostgreSQL's 00002. Times are INTEGER Unix microseconds, as
-- everywhere in this file (internal/sqldb). position_tx is always 0 here:
-- SQLite positions are the events' seq.

-- +goose Up
CREATE TABLE projection_generations (
    name         TEXT NOT NULL,
    generation   INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('building', 'live', 'retired', 'shadow')),
    position_tx  INTEGER NOT NULL DEFAULT 0,
    position_seq INTEGER NOT NULL DEFAULT 0,
    events       INTEGER NOT NULL DEFAULT 0,
    applied_at   INTEGER,
    last_event_recorded_at INTEGER,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL DEFAULT (now()),
    PRIMARY KEY (name, generation)
);

CREATE UNIQUE INDEX projection_generations_live ON projection_generations (name) WHERE state = 'live';

-- +goose Down
DROP TABLE projection_generations;
