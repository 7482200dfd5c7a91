package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Dialect names the database behind a DB.
type Dialect uint8

// The dialects.
const (
	Postgres Dialect = iota + 1
	SQLite
)

func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("dialect(%d)", uint8(d))
}

// Pick returns pg on PostgreSQL and lite on SQLite.
func (d Dialect) Pick(pg, lite string) string {
	if d == SQLite {
		return lite
	}
	return pg
}

// ErrNoRows is what Row.Scan returns when the query found nothing, in both
// dialects (pgx.ErrNoRows wraps it).
var ErrNoRows = sql.ErrNoRows

// Result reports what a statement changed.
type Result interface {
	RowsAffected() int64
}

// Row is the result of QueryRow.
type Row interface {
	Scan(dest ...any) error
}

// Rows is the result of Query; Close may be called more than once.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Querier runs statements.
type Querier interface {
	Dialect() Dialect
	Exec(ctx context.Context, sql string, args ...any) (Result, error)
	Query(ctx context.Context, sql string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) Row
}

// Tx is a write transaction.
type Tx interface {
	Querier
	// SendBatch runs the queued statements in order and stops at the
	// first error (PostgreSQL: one round trip).
	SendBatch(ctx context.Context, b *Batch) error
	// LockXact takes the transaction lock (purpose, name) until the
	// transaction ends; a no-op on SQLite.
	LockXact(ctx context.Context, purpose int32, name string) error
	// Relaxed lets this transaction commit without waiting for the disk
	// (PostgreSQL synchronous_commit off), for derived data that a crash
	// may roll back to an earlier checkpoint; a no-op on SQLite.
	Relaxed(ctx context.Context) error
}

// DB is a database handle shared by a process.
type DB interface {
	Querier
	// InTx runs fn in a write transaction, committing when fn returns nil.
	InTx(ctx context.Context, fn func(Tx) error) error
	// TryLock takes the session lock (purpose, name) if it is free;
	// unlock releases it. ok is false when another holder has it.
	TryLock(ctx context.Context, purpose int32, name string) (unlock func(), ok bool, err error)
	// Lock waits for the session lock (purpose, name).
	Lock(ctx context.Context, purpose int32, name string) (unlock func(), err error)
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}

// Batch is a list of statements sent together.
type Batch struct {
	items []batchItem
}

type batchItem struct {
	sql  string
	args []any
}

// Queue adds a statement.
func (b *Batch) Queue(sql string, args ...any) {
	b.items = append(b.items, batchItem{sql: sql, args: args})
}

// Len is the number of queued statements.
func (b *Batch) Len() int { return len(b.items) }

// CollectRows scans every row with fn and closes rows.
func CollectRows[T any](rows Rows, fn func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := fn(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// ForEachRow calls fn after scanning each row into dest, and closes rows.
func ForEachRow(rows Rows, dest []any, fn func() error) error {
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}

// IsNoRows reports whether err means a query found no row.
func IsNoRows(err error) bool { return errors.Is(err, ErrNoRows) }
