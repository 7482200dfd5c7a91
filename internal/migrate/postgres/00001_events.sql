-- The event log. See eventstore/doc.go for the contract and
-- eventstore/postgres/doc.go for how this schema keeps it.

-- +goose Up
CREATE TABLE event_streams (
    stream      text PRIMARY KEY,
    version     bigint NOT NULL,
    head_hash   bytea NOT NULL,
    recorded_at timestamptz NOT NULL, -- of the last event; keeps recorded_at monotonic per stream
    last_tx     xid8                  -- of the last event; see kabinet_append
);

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

-- kabinet_append is the whole append in one round trip: lock the stream,
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
    v_micros   bytea;
    v_hashes   bytea[] := '{}';
    v_known    int;
    v_same     int;
BEGIN
    PERFORM pg_advisory_xact_lock(7310, hashtext(p_stream));
    SELECT s.version, s.head_hash, s.recorded_at, s.last_tx INTO v_version, v_hash, v_last, v_last_tx
      FROM event_streams s WHERE s.stream = p_stream;
    IF NOT FOUND THEN
        PERFORM 1 FROM events e WHERE e.event_id = ANY (p_ids);
        IF FOUND THEN
            status := 'duplicate_mismatch';
            RETURN;
        END IF;
        IF p_expected > 0 THEN
            status := 'conflict'; last_version := 0;
            RETURN;
        END IF;
        INSERT INTO event_streams (stream, version, head_hash, recorded_at)
        VALUES (p_stream, 0, '\x'::bytea, '-infinity');
        v_version := 0; v_hash := '\x'::bytea; v_last := '-infinity';
    END IF;

    -- With the stream locked, an earlier append of the same events has committed
    -- or never will: look them up before checking the version.
    SELECT count(*), min(e.version) FILTER (WHERE e.stream = p_stream) INTO v_known, first_version
      FROM events e WHERE e.event_id = ANY (p_ids);
    IF v_known > 0 THEN
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
    v_micros := int8send((extract(epoch FROM v_now) * 1000000)::bigint);
    FOR i IN 1 .. v_n LOOP
        v_hash := sha256(v_hash || int8send(v_version + i) || v_micros || p_digests[i]);
        v_hashes[i] := v_hash;
    END LOOP;

    INSERT INTO events (event_id, stream, version, type, schema_version, data, metadata,
                        occurred_at, recorded_at, hash)
    SELECT i.id, p_stream, v_version + i.n, i.typ, i.sv, i.d::json, i.m::json, i.o, v_now, i.h
      FROM unnest(p_ids, p_types, p_schemas, p_data, p_meta, p_occurred, v_hashes)
           WITH ORDINALITY AS i(id, typ, sv, d, m, o, h, n)
     ORDER BY i.n;

    UPDATE event_streams
       SET version = v_version + v_n, head_hash = v_hash, recorded_at = v_now, last_tx = pg_current_xact_id()
     WHERE stream = p_stream;

    status := 'ok';
    first_version := v_version + 1;
    last_version := v_version + v_n;
    last_tx := pg_current_xact_id();
    SELECT max(e.seq) INTO last_seq FROM events e WHERE e.stream = p_stream AND e.version = last_version;
END
$fn$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION kabinet_append;
DROP TABLE events;
DROP TABLE event_streams;
