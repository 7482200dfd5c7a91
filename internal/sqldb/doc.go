// Package sqldb is the one SQL interface that read models, checkpoints,
// sessions, limits and the bus ledger use, over either database kabinet
// runs on: PostgreSQL through pgx, or the embedded SQLite file through
// modernc.org/sqlite (the same file as the SQLite event store).
//
// The interface is pgx's shape (Exec, Query, QueryRow, a transaction
// function, batches), so that code written against it reads like pgx code.
// SQL text is shared where both databases accept it, and chosen with
// [Dialect] where they do not. The rules that make shared SQL work:
//
//   - Parameters are $1, $2, … in both (SQLite binds $N to the Nth argument).
//   - Times are passed as time.Time and scanned into time.Time or *time.Time.
//     On SQLite they are stored as INTEGER Unix microseconds (like the event
//     log's), so they compare and sort as numbers; now() is defined there to
//     return the same. Calendar dates are passed and stored as "2006-01-02"
//     text, which PostgreSQL reads into a date column, and scan into
//     time.Time in both.
//   - UUIDs, decimals and JSON are passed as their Go values (uuid.UUID,
//     decimal.Decimal, json.RawMessage or string); SQLite keeps them as text.
//   - Arrays are PostgreSQL's alone; SQLite code loops instead.
//
// On SQLite, statements that start with SELECT and run outside a
// transaction go to the read pool, which never waits for the writer;
// everything else goes to the single write connection, as the event store's
// appends do. So a function inside [DB.InTx] must use the Tx it is given,
// never the DB: on SQLite the DB's writer is the Tx's own connection.
//
// Locks: [DB.TryLock] and [DB.Lock] are session locks that say which
// process runs something (PostgreSQL advisory locks; on SQLite, where one
// process owns the file, an in-process mutex). [Tx.LockXact] is a
// transaction lock; on SQLite it is a no-op, since write transactions
// already run one at a time.
package sqldb
