-- Clients' data keys (internal/pii): personal data in event payloads is
-- sealed with a key of its own per client, kept here wrapped by the master
-- key from configuration. Erasure destroys the key (wrapped becomes NULL and
-- stays so): the events stay, their hash chains still verify, and the
-- personal data in them can no longer be read by anyone.

-- +goose Up
CREATE TABLE client_keys (
    client_id    uuid PRIMARY KEY,
    wrapped      bytea,                      -- nonce ‖ AES-256-GCM(master key, data key); NULL once destroyed
    created_at   timestamptz NOT NULL DEFAULT now(),
    destroyed_at timestamptz,
    CONSTRAINT client_keys_destroyed CHECK ((wrapped IS NULL) = (destroyed_at IS NOT NULL))
);

-- +goose Down
DROP TABLE client_keys;
