-- The event log. See eventstore/doc.go for the contract and
-- eventstore/postgres/doc.go for how this schema keeps it.

-- +goose Up
CREATE TABLE event_streams (
    stream      text PRIMARY KEY,
    version     bigint NOT NULL,
    head_hash   bytea NOT NULL,
    prev_hash   bytea NOT NULL DEFAULT '\x', -- head before the last append; lets one statement chain a batch
    recorded_at timestamptz NOT NULL, -- of the last event; keeps recorded_at monotonic per stream
    last_tx     xid8                  -- of the last event; see kabinet_append
) WITH (fillfactor = 70); -- room on each page, so moving a head is a HOT update

CREATE TABLE events (
    seq            bigint GENERATED ALWAYS AS IDENTITY,
    tx             xid8 NOT NULL DEFAULT pg_current_xact_id(),
    event_id       uuid NOT NULL,
    stream         text NOT NULL,
    version        bigint NOT NULL,
    type           text NOT NULL,
    schema_version int NOT NULL,
    data           json NOT NULL, -- json, not jsonb: the exact bytes that were hashed
    metadata       json NOT NULL,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    hash           bytea NOT NULL,
    PRIMARY KEY (stream, version),
    CONSTRAINT events_event_id_key UNIQUE (event_id)
);

-- The global log is read in (tx, seq) order up to pg_snapshot_xmin.
CREATE INDEX events_log ON events (tx, seq);

-- kabinet_chain returns the chain hashes of a batch appended after a head
-- (prev, at version base), all recorded at the same time:
-- hash_i = sha256(hash_{i-1} ‖ int8 version ‖ int8 recorded_at µs ‖ digest_i),
-- the bytes eventstore.ChainHash computes.
-- +goose StatementBegin
CREATE FUNCTION kabinet_chain(prev bytea, base bigint, at timestamptz, digests bytea[])
RETURNS bytea[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
    micros bytea := int8send((extract(epoch FROM at) * 1000000)::bigint);
    h      bytea := prev;
    out    bytea[] := '{}';
BEGIN
    FOR i IN 1 .. cardinality(digests) LOOP
        h := sha256(h || int8send(base + i) || micros || digests[i]);
        out[i] := h;
    END LOOP;
    RETURN out;
END
$fn$;
-- +goose StatementEnd

-- kabinet_append is the whole append in one round trip, for appends inside a
-- transaction of the caller's (the store's own appends use the single
-- statement in eventstore/postgres/append.go, which keeps the same rules): lock the stream,
-- answer a repeated append with its first result, check the expected
-- version, chain the hashes and insert. It writes nothing unless it returns
-- status 'ok'. p_expected: -1 any, 0 no stream, n exact.
--
-- The stream lock is a transaction-level advisory lock, taken before the
-- transaction writes anything and so before it is given a transaction ID.
-- Appends to one stream therefore get IDs in the order they hold its lock,
-- which makes the global log's (tx, seq) order agree with each stream's
-- version order. A row lock would not do: locking a row assigns the ID
-- first and may then wait, so a later ID could win the lock. A transaction
-- that wrote before appending has an older ID; if a younger one appended to
-- the same stream meanwhile, the append is refused ('order_conflict').
-- +goose StatementBegin
CREATE FUNCTION kabinet_append(
    p_stream text, p_expected bigint,
    p_ids uuid[], p_types text[], p_schemas int[], p_data text[], p_meta text[],
    p_occurred timestamptz[], p_digests bytea[],
    OUT status text, OUT first_version bigint, OUT last_version bigint,
    OUT last_tx xid8, OUT last_seq bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
    v_n        int := cardinality(p_ids);
    v_version  bigint;
    v_hash     bytea;
    v_last     timestamptz;
    v_last_tx  xid8;
    v_now      timestamptz;
    v_hashes   bytea[] := '{}';
    v_known    bigint;
    v_same     bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7310, hashtext(p_stream));
    -- A new statement, so a new snapshot: it sees the commit of whoever held the lock before.
    SELECT coalesce(s.version, 0), coalesce(s.head_hash, '\x'::bytea), coalesce(s.recorded_at, '-infinity'), s.last_tx,
           (SELECT count(*) FROM events e WHERE e.event_id = ANY (p_ids))
      INTO v_version, v_hash, v_last, v_last_tx, v_known
      FROM (SELECT) AS one LEFT JOIN event_streams s ON s.stream = p_stream;

    -- With the stream locked, an earlier append of the same events has
    -- committed or never will: answer it before checking the version.
    IF v_known > 0 THEN
        SELECT min(e.version) INTO first_version FROM events e WHERE e.event_id = ANY (p_ids) AND e.stream = p_stream;
        SELECT count(*) INTO v_same
          FROM unnest(p_ids, p_types, p_schemas, p_data, p_meta, p_occurred)
               WITH ORDINALITY AS i(id, typ, sv, d, m, o, n)
          JOIN events e ON e.event_id = i.id
         WHERE e.stream = p_stream AND e.version = first_version + i.n - 1
           AND e.type = i.typ AND e.schema_version = i.sv
           AND e.data::text = i.d AND e.metadata::text = i.m AND e.occurred_at = i.o;
        IF v_known = v_n AND v_same = v_n THEN
            status := 'duplicate';
            last_version := first_version + v_n - 1;
            SELECT e.tx, e.seq INTO last_tx, last_seq
              FROM events e WHERE e.stream = p_stream AND e.version = last_version;
        ELSE
            status := 'duplicate_mismatch';
            first_version := NULL;
        END IF;
        RETURN;
    END IF;

    IF p_expected >= 0 AND v_version <> p_expected THEN
        status := 'conflict'; last_version := v_version;
        RETURN;
    END IF;
    IF v_last_tx IS NOT NULL AND v_last_tx > pg_current_xact_id() THEN
        status := 'order_conflict'; last_version := v_version;
        RETURN;
    END IF;

    v_now := greatest(clock_timestamp(), v_last);
    v_hashes := kabinet_chain(v_hash, v_version, v_now, p_digests);

    WITH ins AS (
        INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata,
                            occurred_at, recorded_at, hash)
        SELECT i.id, p_stream, v_version + i.n, i.typ, i.sv, i.d::json, i.m::json, i.o, v_now, i.h
          FROM unnest(p_ids, p_types, p_schemas, p_data, p_meta, p_occurred, v_hashes)
               WITH ORDINALITY AS i(id, typ, sv, d, m, o, h, n)
         ORDER BY i.n
        RETURNING seq, tx
    ), head AS (
        INSERT INTO event_streams AS s (stream, version, prev_hash, head_hash, recorded_at, last_tx)
        VALUES (p_stream, v_version + v_n, v_hash, v_hashes[v_n], v_now, pg_current_xact_id())
        ON CONFLICT (stream) DO UPDATE
           SET version = excluded.version, prev_hash = excluded.prev_hash, head_hash = excluded.head_hash,
               recorded_at = excluded.recorded_at, last_tx = excluded.last_tx
    )
    SELECT max(ins.seq), max(ins.tx) INTO last_seq, last_tx FROM ins;

    status := 'ok';
    first_version := v_version + 1;
    last_version := v_version + v_n;
END
$fn$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION kabinet_append;
DROP FUNCTION kabinet_chain;
DROP TABLE events;
DROP TABLE event_streams;
