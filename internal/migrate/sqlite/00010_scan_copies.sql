-- Sealed copies of clients' scans, as in PostgreSQL's 00010; times in Unix
-- microseconds.

-- +goose Up
CREATE TABLE scan_copies (
    client_id    TEXT NOT NULL,
    scan_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_at  INTEGER NOT NULL,
    sealed_name    BLOB NOT NULL,
    sealed_content BLOB NOT NULL,
    stored_at    INTEGER NOT NULL,
    PRIMARY KEY (client_id, scan_id),
    CONSTRAINT scan_copies_one_per_kind UNIQUE (client_id, kind)
);

-- +goose Down
DROP TABLE scan_copies;
