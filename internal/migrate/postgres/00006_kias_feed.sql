-- The KIAS feed's progress (adapters/kias.FeedPoller): how far each feed has
-- been turned into commands, and the changes refused for good. The commands
-- themselves are idempotent by the change's ID, so the cursor only saves
-- work: losing it replays the feed and writes nothing twice.

-- +goose Up
CREATE TABLE kias_feed_cursor (
    name       text PRIMARY KEY,          -- the feed, e.g. "kias"
    cursor     text NOT NULL,             -- KIAS's opaque cursor of the last change handled
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A change the cabinet refused for good (invalid, or naming a policy or claim
-- it does not have). The feed moves on past it; an operator reads the reason
-- and looks the change up in KIAS by its ID. No personal data is kept here.
CREATE TABLE kias_feed_rejects (
    name        text NOT NULL,
    change_id   text NOT NULL,
    cursor      text NOT NULL,
    kind        text NOT NULL,
    reason      text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (name, change_id)
);

-- +goose Down
DROP TABLE kias_feed_rejects;
DROP TABLE kias_feed_cursor;
