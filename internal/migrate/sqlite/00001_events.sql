-- The event log of the embedded store. See eventstore/doc.go for the
-- contract and eventstore/sqlite/doc.go for how this schema keeps it.
--
-- Tables are STRICT, so a value of the wrong type is refused instead of
-- being stored as whatever SQLite makes of it. Times are INTEGER Unix
-- microseconds (the contract's precision), so they compare and sort as
-- numbers and the verifier reads back exactly what was hashed.

-- +goose Up
CREATE TABLE event_streams (
    stream      TEXT PRIMARY KEY,
    version     INTEGER NOT NULL CHECK (version >= 0),
    head_hash   BLOB NOT NULL,
    recorded_at INTEGER NOT NULL -- of the last event; keeps recorded_at monotonic per stream
) STRICT, WITHOUT ROWID;

-- seq is the global position. AUTOINCREMENT never hands out a number twice,
-- even after the newest row is deleted, so a reader's cursor can never be
-- overtaken by a reused value. It is commit order only because every write
-- goes through one connection, one transaction at a time.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT NOT NULL UNIQUE,          -- canonical UUID text
    stream         TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    type           TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    data           TEXT NOT NULL,                 -- the exact JSON bytes that were hashed
    metadata       TEXT NOT NULL,                 -- the exact metadata JSON that was hashed
    occurred_at    INTEGER NOT NULL,              -- Unix microseconds, business time
    recorded_at    INTEGER NOT NULL,              -- Unix microseconds, store time
    hash           BLOB NOT NULL,
    UNIQUE (stream, version)
) STRICT;

-- +goose Down
DROP TABLE events;
DROP TABLE event_streams;
