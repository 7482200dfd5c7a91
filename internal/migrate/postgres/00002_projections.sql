-- Projection bookkeeping. See projections/doc.go.

-- +goose Up
CREATE TABLE projection_generations (
    name         text NOT NULL,
    generation   int NOT NULL,
    version      int NOT NULL,          -- the projection code's version that built it
    state        text NOT NULL CHECK (state IN ('building', 'live', 'retired', 'shadow')),
    position_tx  bigint NOT NULL DEFAULT 0,
    position_seq bigint NOT NULL DEFAULT 0,
    events       bigint NOT NULL DEFAULT 0, -- events applied by this generation
    applied_at   timestamptz,               -- when the last batch committed
    last_event_recorded_at timestamptz,     -- recorded_at of the last applied event
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, generation)
);

-- At most one live generation per projection.
CREATE UNIQUE INDEX projection_generations_live ON projection_generations (name) WHERE state = 'live';

-- +goose Down
DROP TABLE projection_generations;
