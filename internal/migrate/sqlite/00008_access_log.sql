-- The access log, as in PostgreSQL's 00008: the fields are a JSON array as
-- text. AUTOINCREMENT keeps an ID from ever being given out twice.

-- +goose Up
CREATE TABLE access_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    client_id  TEXT NOT NULL,
    caller     TEXT NOT NULL,
    actor      TEXT NOT NULL,
    operation  TEXT NOT NULL,
    fields     TEXT NOT NULL,
    request_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_log_client_at ON access_log (client_id, at);

-- +goose Down
DROP TABLE access_log;
