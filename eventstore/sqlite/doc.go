// Package sqlite is the embedded event store: one SQLite file, through the
// pure-Go modernc.org/sqlite driver, so the binary needs no cgo and nothing
// else installed. It keeps the contract in package eventstore as follows.
//
// # One writer, one process
//
// The store opens two pools on the file. The write pool has exactly one
// connection and begins every transaction with BEGIN IMMEDIATE, so appends
// (and anything else written through DB) run one at a time and wait for the
// write lock up front instead of failing with SQLITE_BUSY when a read
// transaction tries to upgrade. The read pool has several connections in
// query_only mode; in WAL mode they read a committed snapshot and never wait
// for the writer.
//
// Because writes are serialised, the events table's INTEGER PRIMARY KEY
// AUTOINCREMENT column is the global log in commit order: a transaction
// takes its numbers only after every earlier one has committed or rolled
// back, so a reader that has passed a number can never see a smaller one
// commit later. Positions are Position{Tx: 0, Seq: seq}. That argument holds
// only while one process writes the file: the embedded mode is
// single-process. A second process would have its own writer, and the two
// would interleave. Run several instances on PostgreSQL instead.
//
// # Durability
//
// The write pool runs with synchronous=FULL: in WAL mode every commit waits
// for the WAL to reach the disk, so an append that returned survives a power
// cut. With NORMAL, WAL commits are synced only at checkpoints; the file is
// never corrupted, but the last appends before a power loss can vanish after
// their callers were told they were stored, and a client's request would be
// lost without a trace. An event log is the system of record, so it pays for
// the fsync (see BenchmarkAppend; batching events amortises it).
//
// # Appends
//
// Append validates outside the transaction and then, holding the write lock,
// answers a repeat of a stored append with its first result, checks the
// expected version, chains the hashes in Go with eventstore.ChainHash,
// stamps recorded_at as the later of now and the stream's last recorded_at,
// inserts the rows, moves the stream head and commits. In-process
// subscribers are woken after the commit. AppendTx does the same inside a
// transaction the caller owns on DB, for read models and imports that must
// commit with the events; while it is open, every other writer waits, so
// keep it short.
//
// # Reads and verification
//
// Load, LoadAsOf, ReadAll and Subscribe read on the read pool and upcast.
// Verify reads the rows in (stream, version) order in one read transaction
// and checks one stream at a time, so memory is bounded by the longest
// stream, not by the log.
package sqlite
