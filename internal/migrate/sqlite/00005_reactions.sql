-- Reminders and delivered notices, as in PostgreSQL's 00005.

-- +goose Up
CREATE TABLE scheduled_reminders (
    key           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('expiring_policy', 'installment_due')),
    due_at        INTEGER NOT NULL,
    policy_id     TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    claimed_until INTEGER,
    claim_token   TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    fired_at      INTEGER,
    outcome       TEXT CHECK (outcome IN ('sent', 'skipped', 'failed')),
    reason        TEXT
);
CREATE INDEX scheduled_reminders_due ON scheduled_reminders (due_at) WHERE fired_at IS NULL;
CREATE INDEX scheduled_reminders_policy ON scheduled_reminders (policy_id) WHERE fired_at IS NULL;

CREATE TABLE reaction_deliveries (
    key     TEXT PRIMARY KEY,
    sent_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE reaction_deliveries;
DROP TABLE scheduled_reminders;
