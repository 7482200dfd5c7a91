-- The access log (adapters/cabinet): one row for every answer of the API
-- that carried a client's personal data or scans. It says who read them,
-- when, through which operation and which fields or scans the answer
-- carried, by name: never a value, so that the log holds no personal data
-- and outlives an erasure. Rows are only ever added.

-- +goose Up
CREATE TABLE access_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    client_id  uuid NOT NULL,              -- whose data
    caller     text NOT NULL,              -- the API key's name
    actor      text NOT NULL,              -- client:<id> for a session, api:<key name> otherwise
    operation  text NOT NULL,              -- e.g. GetPersonalData
    fields     jsonb NOT NULL,             -- array of field names, or scan:<id> for scans
    request_id text NOT NULL DEFAULT ''    -- the request's X-Request-ID
);
CREATE INDEX access_log_client_at ON access_log (client_id, at);

-- +goose Down
DROP TABLE access_log;
