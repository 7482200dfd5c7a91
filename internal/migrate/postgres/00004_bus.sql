-- The bus: the relay's place in the global log, the reactions each event has
-- already had, and the poison queue. See adapters/bus/doc.go.

-- +goose Up
-- One row per relay name. Only the relay holding the advisory lock writes it,
-- and the position never moves backwards (see adapters/bus/relay.go).
CREATE TABLE relay_checkpoints (
    name         text PRIMARY KEY,
    position_tx  bigint NOT NULL DEFAULT 0,
    position_seq bigint NOT NULL DEFAULT 0,
    instance     text NOT NULL DEFAULT '', -- the process that wrote it last
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- An event a reaction has carried out: a redelivery of it is skipped.
CREATE TABLE reaction_done (
    reaction text NOT NULL,
    event_id uuid NOT NULL,
    done_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (reaction, event_id)
);

-- The poison queue: events a reaction gave up on after its retries. An
-- operator lists them (kabinet reactions failed) and runs them again
-- (kabinet reactions retry); a success removes the row.
CREATE TABLE reaction_failures (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reaction   text NOT NULL,
    event_id   uuid NOT NULL,
    stream     text NOT NULL,
    version    bigint NOT NULL,
    event_type text NOT NULL,
    reason     text NOT NULL,          -- the last error, truncated
    attempts   int NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now(),
    retried_at timestamptz,            -- the last operator retry
    CONSTRAINT reaction_failures_event UNIQUE (reaction, event_id)
);

-- +goose Down
DROP TABLE reaction_failures;
DROP TABLE reaction_done;
DROP TABLE relay_checkpoints;
