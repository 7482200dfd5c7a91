-- Signed audit checkpoints (see internal/audit): the stream heads as they
-- stood when `kabinet audit checkpoint` ran, and an Ed25519 signature over
-- them made with a key that is kept outside the database. The signature
-- is what makes these rows trustworthy; the tables only store it.

-- +goose Up
CREATE TABLE audit_checkpoints (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at      timestamptz NOT NULL,   -- signed, in Unix microseconds
    streams         bigint NOT NULL,        -- how many heads were signed
    position_tx     bigint NOT NULL,        -- the newest event the heads cover
    position_seq    bigint NOT NULL,
    heads_digest    bytea NOT NULL,         -- SHA-256 over the sorted heads
    signature       bytea NOT NULL,
    key_fingerprint text NOT NULL           -- which public key verifies it
);

CREATE TABLE audit_checkpoint_heads (
    checkpoint_id bigint NOT NULL REFERENCES audit_checkpoints (id) ON DELETE CASCADE,
    stream        text NOT NULL,
    version       bigint NOT NULL,
    hash          bytea NOT NULL,
    PRIMARY KEY (checkpoint_id, stream)
);

-- +goose Down
DROP TABLE audit_checkpoint_heads;
DROP TABLE audit_checkpoints;
