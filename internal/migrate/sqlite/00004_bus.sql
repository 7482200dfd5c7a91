-- The relay's checkpoint and the reactions' ledger, as in PostgreSQL's 00004.

-- +goose Up
CREATE TABLE relay_checkpoints (
    name         TEXT PRIMARY KEY,
    position_tx  INTEGER NOT NULL DEFAULT 0,
    position_seq INTEGER NOT NULL DEFAULT 0,
    instance     TEXT NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL DEFAULT (now())
);

CREATE TABLE reaction_done (
    reaction TEXT NOT NULL,
    event_id TEXT NOT NULL,
    done_at  INTEGER NOT NULL DEFAULT (now()),
    PRIMARY KEY (reaction, event_id)
);

CREATE TABLE reaction_failures (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    reaction   TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    stream     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    reason     TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    failed_at  INTEGER NOT NULL DEFAULT (now()),
    retried_at INTEGER,
    CONSTRAINT reaction_failures_event UNIQUE (reaction, event_id)
);

-- +goose Down
DROP TABLE reaction_failures;
DROP TABLE reaction_done;
DROP TABLE relay_checkpoints;
