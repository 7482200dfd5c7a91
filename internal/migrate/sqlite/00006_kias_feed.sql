-- The KIAS feed's cursor and rejected changes, as in PostgreSQL's 00006.

-- +goose Up
CREATE TABLE kias_feed_cursor (
    name       TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at INTEGER NOT NULL DEFAULT (now())
);

CREATE TABLE kias_feed_rejects (
    name        TEXT NOT NULL,
    change_id   TEXT NOT NULL,
    cursor      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    rejected_at INTEGER NOT NULL DEFAULT (now()),
    PRIMARY KEY (name, change_id)
);

-- +goose Down
DROP TABLE kias_feed_rejects;
DROP TABLE kias_feed_cursor;
