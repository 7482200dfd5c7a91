// Package postgres is the PostgreSQL event store (pgx/v5), the production
// backend. It keeps the contract in package eventstore as follows.
//
// Append is one round trip: the SQL function kabinet_append (see
// internal/migrate) locks or creates the stream's head row, answers a
// repeated append with its first result, checks the expected version, chains
// the hashes and inserts, all in the caller's statement. Two appends to one
// stream serialise on the head row; appends to different streams do not
// wait for each other.
//
// The global log is ordered by (tx, seq): tx is the writing transaction's
// xid8, seq an identity. ReadAll returns only rows whose tx is below
// pg_snapshot_xmin of the current snapshot, that is rows of transactions that
// have ended, so a row that commits late can never land behind a cursor that
// a reader has already passed. The price is that one long-open write
// transaction holds every reader back; Frontier names it. Transaction IDs
// are shared by every database of a PostgreSQL cluster, so this holds for a
// write transaction left open in any database of the cluster, not only
// kabinet's: give kabinet a cluster of its own, or watch the frontier. Keep
// write transactions short: never wait on a partner or a person inside one.
//
// Subscribe wakes on LISTEN/NOTIFY. Appends signal in-process subscribers at
// once and send one coalesced NOTIFY after commit for other processes; the
// NOTIFY is not sent inside the append transaction because PostgreSQL
// serialises the commits of notifying transactions. A lost notification only
// delays delivery until the next poll.
package postgres
