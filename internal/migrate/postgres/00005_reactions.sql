-- The automatic processes' own state (adapters/reactions): reminders waiting
-- for their day, and the messages already handed to a gateway, so that a
-- reaction or reminder run again sends nothing twice. Both are derived from
-- the event log and can be rebuilt from it; neither is history.

-- +goose Up

-- One row per reminder that will ever be sent: the key ("expiring:<policy
-- id>:30", "installment:<policy id>:2") makes scheduling idempotent, and
-- fired_at makes firing happen once. A scheduler claims due rows with
-- FOR UPDATE SKIP LOCKED for the lease (claimed_until, claim_token), fires
-- them outside any transaction and then marks them fired; a row whose
-- scheduler died becomes due again when its lease ends.
CREATE TABLE scheduled_reminders (
    key           text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('expiring_policy', 'installment_due')),
    due_at        timestamptz NOT NULL,
    policy_id     uuid NOT NULL,
    client_id     uuid NOT NULL,
    payload       jsonb NOT NULL DEFAULT '{}',   -- what the reminder is about: days before the end, installment number
    created_at    timestamptz NOT NULL,
    claimed_until timestamptz,                   -- claimed, or after a failure not to be retried, until then
    claim_token   uuid,                          -- the claim that may mark the row
    attempts      int NOT NULL DEFAULT 0,
    last_error    text,                          -- never personal data or a message text
    fired_at      timestamptz,
    outcome       text CHECK (outcome IN ('sent', 'skipped', 'failed')),
    reason        text                           -- why a reminder was skipped, e.g. 'cancelled'
);
CREATE INDEX scheduled_reminders_due ON scheduled_reminders (due_at) WHERE fired_at IS NULL;
CREATE INDEX scheduled_reminders_policy ON scheduled_reminders (policy_id) WHERE fired_at IS NULL;

-- A message a gateway accepted: "<idempotency key>#sms" or "#email".
CREATE TABLE reaction_deliveries (
    key     text PRIMARY KEY,
    sent_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE reaction_deliveries;
DROP TABLE scheduled_reminders;
