-- Sealed copies of clients' scans (adapters/cabinet): kabinet keeps a copy of
-- every scan a client uploads through it, so that the client can still list
-- and download their scans while KIAS, the system of record, is out of
-- reach. The file name and the content are sealed apart, each with the
-- client's data key (internal/pii, the key of client_keys): erasure destroys
-- the key, after which no copy opens, in this table or in any backup of it,
-- and deletes the rows as well. The other columns, with the names, are what
-- a list shows, without reading any content. KIAS keeps one scan per kind and
-- client, and so does this table: a new one replaces the row of its kind.

-- +goose Up
CREATE TABLE scan_copies (
    client_id    uuid NOT NULL,
    scan_id      text NOT NULL,              -- KIAS's ID of the scan
    kind         text NOT NULL,              -- id_card, driving_licence, vehicle_registration, passport
    content_type text NOT NULL,              -- image/jpeg, image/png or application/pdf
    size         bigint NOT NULL,            -- bytes of the content
    sha256       text NOT NULL,              -- lower-case hex of the content
    uploaded_at  timestamptz NOT NULL,       -- when KIAS took the scan
    sealed_name    bytea NOT NULL,           -- nonce ‖ AES-256-GCM(client's data key, file name)
    sealed_content bytea NOT NULL,           -- nonce ‖ AES-256-GCM(client's data key, content)
    stored_at    timestamptz NOT NULL,       -- when kabinet stored this copy
    PRIMARY KEY (client_id, scan_id),
    CONSTRAINT scan_copies_one_per_kind UNIQUE (client_id, kind)
);

-- +goose Down
DROP TABLE scan_copies;
