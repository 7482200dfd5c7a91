package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const unlockTimeout = 5 * time.Second

func init() {
	// now() as PostgreSQL has it, in the SQLite representation of times.
	sqlitedriver.MustRegisterScalarFunction("now", 0, func(*sqlitedriver.FunctionContext, []driver.Value) (driver.Value, error) {
		return time.Now().UnixMicro(), nil
	})
}

// FromSQLite is the DB over an SQLite file's two pools: write, with exactly
// one connection whose transactions begin IMMEDIATE, and read, whose
// connections are query_only (see eventstore/sqlite). The caller keeps
// closing them.
func FromSQLite(write, read *sql.DB) DB {
	return &liteDB{write: write, read: read, locks: map[string]chan struct{}{}}
}

type liteDB struct {
	write, read *sql.DB

	mu    sync.Mutex
	locks map[string]chan struct{} // held session locks; closed when released
}

func (*liteDB) Dialect() Dialect { return SQLite }

// pool picks the read pool for a plain SELECT.
func (d *liteDB) pool(query string) *sql.DB {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) >= 6 && strings.EqualFold(q[:6], "select") {
		return d.read
	}
	return d.write
}

func (d *liteDB) Exec(ctx context.Context, query string, args ...any) (Result, error) {
	a, err := liteArgs(args)
	if err != nil {
		return nil, err
	}
	return liteResult(d.write.ExecContext(ctx, query, a...))
}

// liteResult reads the count of changed rows at once, so that Result
// needs no error.
func liteResult(r sql.Result, err error) (Result, error) {
	if err != nil {
		return nil, err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return nil, err
	}
	return rowsAffected(n), nil
}

type rowsAffected int64

func (n rowsAffected) RowsAffected() int64 { return int64(n) }

func (d *liteDB) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	return liteQuery(ctx, d.pool(query), query, args)
}

func (d *liteDB) QueryRow(ctx context.Context, query string, args ...any) Row {
	return liteQueryRow(ctx, d.pool(query), query, args)
}

func (d *liteDB) Ping(ctx context.Context) error { return d.read.PingContext(ctx) }

func (d *liteDB) InTx(ctx context.Context, fn func(Tx) error) (err error) {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(&liteTx{tx: tx}); err != nil {
		return err
	}
	return tx.Commit()
}

func (d *liteDB) TryLock(_ context.Context, purpose int32, name string) (func(), bool, error) {
	key := fmt.Sprintf("%d/%s", purpose, name)
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, held := d.locks[key]; held {
		return nil, false, nil
	}
	return d.hold(key), true, nil
}

func (d *liteDB) Lock(ctx context.Context, purpose int32, name string) (func(), error) {
	key := fmt.Sprintf("%d/%s", purpose, name)
	for {
		d.mu.Lock()
		released, held := d.locks[key]
		if !held {
			unlock := d.hold(key)
			d.mu.Unlock()
			return unlock, nil
		}
		d.mu.Unlock()
		select {
		case <-released:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// hold records key as held; d.mu must be held.
func (d *liteDB) hold(key string) func() {
	ch := make(chan struct{})
	d.locks[key] = ch
	var once sync.Once
	return func() {
		once.Do(func() {
			d.mu.Lock()
			delete(d.locks, key)
			d.mu.Unlock()
			close(ch)
		})
	}
}

// liteTx keeps the statements it prepared for Exec and QueryRow until it
// ends: read models write row by row on SQLite, the same few statements
// over and over, and preparing is most of the cost of a small statement
// there (a rebuild of every read model runs about 1.6 times as fast). The
// transaction closes them when it commits or rolls back.
type liteTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (*liteTx) Dialect() Dialect { return SQLite }

// stmt is query prepared in this transaction, once.
func (t *liteTx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

func (t *liteTx) Exec(ctx context.Context, query string, args ...any) (Result, error) {
	a, err := liteArgs(args)
	if err != nil {
		return nil, err
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return liteResult(st.ExecContext(ctx, a...))
}

func (t *liteTx) Query(ctx context.Context, query string, args ...any) (Rows, error) {
	a, err := liteArgs(args)
	if err != nil {
		return nil, err
	}
	// Not from the cache: a caller may run the same query again while it
	// still reads these rows, and one prepared statement cannot serve both.
	rows, err := t.tx.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	return liteRows{rows}, nil
}

func (t *liteTx) QueryRow(ctx context.Context, query string, args ...any) Row {
	a, err := liteArgs(args)
	if err != nil {
		return errRow{err}
	}
	st, err := t.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return liteRow{st.QueryRowContext(ctx, a...)}
}

func (t *liteTx) SendBatch(ctx context.Context, b *Batch) error {
	for _, it := range b.items {
		if _, err := t.Exec(ctx, it.sql, it.args...); err != nil {
			return err
		}
	}
	return nil
}

func (*liteTx) LockXact(context.Context, int32, string) error { return nil }
func (*liteTx) Relaxed(context.Context) error                 { return nil }

func liteQuery(ctx context.Context, db *sql.DB, query string, args []any) (Rows, error) {
	a, err := liteArgs(args)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, err
	}
	return liteRows{rows}, nil
}

func liteQueryRow(ctx context.Context, db *sql.DB, query string, args []any) Row {
	a, err := liteArgs(args)
	if err != nil {
		return errRow{err}
	}
	return liteRow{db.QueryRowContext(ctx, query, a...)}
}

// liteArgs converts arguments to their SQLite representation.
func liteArgs(args []any) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			out[i] = v.UnixMicro()
		case *time.Time:
			if v == nil {
				out[i] = nil
			} else {
				out[i] = v.UnixMicro()
			}
		case []byte, string, nil, bool, int, int32, int64, uint32, float64, driver.Valuer:
			out[i] = a
		default:
			// Slices other than []byte are PostgreSQL arrays.
			if reflect.TypeOf(a).Kind() == reflect.Slice {
				return nil, fmt.Errorf("sqlite: argument $%d is a %T: arrays are PostgreSQL's only", i+1, a)
			}
			out[i] = a
		}
	}
	return out, nil
}

type liteRows struct{ rows *sql.Rows }

func (r liteRows) Next() bool             { return r.rows.Next() }
func (r liteRows) Err() error             { return r.rows.Err() }
func (r liteRows) Close()                 { _ = r.rows.Close() }
func (r liteRows) Scan(dest ...any) error { return r.rows.Scan(liteDest(dest)...) }

type liteRow struct{ row *sql.Row }

func (r liteRow) Scan(dest ...any) error { return r.row.Scan(liteDest(dest)...) }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// liteDest wraps destinations that need converting from SQLite's
// representation.
func liteDest(dest []any) []any {
	out := dest
	for i, d := range dest {
		var w any
		switch v := d.(type) {
		case *time.Time:
			w = timeScanner{v}
		case **time.Time:
			w = nullTimeScanner{v}
		default:
			continue
		}
		if &out[0] == &dest[0] {
			out = append([]any(nil), dest...)
		}
		out[i] = w
	}
	return out
}

type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(src any) error {
	if src == nil {
		return errors.New("sqlite: NULL scanned into time.Time (scan into *time.Time)")
	}
	t, err := liteTime(src)
	*s.t = t
	return err
}

type nullTimeScanner struct{ t **time.Time }

func (s nullTimeScanner) Scan(src any) error {
	if src == nil {
		*s.t = nil
		return nil
	}
	t, err := liteTime(src)
	if err != nil {
		return err
	}
	*s.t = &t
	return nil
}

// liteTime reads a time: Unix microseconds, a "2006-01-02" date (midnight
// UTC, as pgx reads a PostgreSQL date), or RFC 3339 text.
func liteTime(src any) (time.Time, error) {
	switch v := src.(type) {
	case int64:
		return time.UnixMicro(v).UTC(), nil
	case time.Time:
		return v, nil
	case []byte:
		return liteTime(string(v))
	case string:
		if len(v) == len(time.DateOnly) {
			return time.Parse(time.DateOnly, v)
		}
		return time.Parse(time.RFC3339Nano, v)
	}
	return time.Time{}, fmt.Errorf("sqlite: cannot read %T as a time", src)
}

func isSQLiteUnique(err error) bool {
	var e *sqlitedriver.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

func isSQLiteNoTable(err error) bool {
	var e *sqlitedriver.Error
	return errors.As(err, &e) && strings.Contains(e.Error(), "no such table")
}
