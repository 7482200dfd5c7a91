package sqldb

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// FromPgx is the DB over a pgx pool; the caller keeps closing the pool.
func FromPgx(pool *pgxpool.Pool) DB { return pgDB{pool} }

// Pgx returns the pool behind a PostgreSQL DB, for the code that needs
// pgx itself (LISTEN, COPY); ok is false for other dialects.
func Pgx(db DB) (pool *pgxpool.Pool, ok bool) {
	p, ok := db.(pgDB)
	return p.pool, ok
}

type pgDB struct{ pool *pgxpool.Pool }

func (pgDB) Dialect() Dialect { return Postgres }

func (d pgDB) Exec(ctx context.Context, sql string, args ...any) (Result, error) {
	return d.pool.Exec(ctx, sql, args...)
}

func (d pgDB) Query(ctx context.Context, sql string, args ...any) (Rows, error) {
	return d.pool.Query(ctx, sql, args...)
}

func (d pgDB) QueryRow(ctx context.Context, sql string, args ...any) Row {
	return d.pool.QueryRow(ctx, sql, args...)
}

func (d pgDB) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

func (d pgDB) InTx(ctx context.Context, fn func(Tx) error) error {
	return pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error { return fn(pgTx{tx}) })
}

const lockSQL = `SELECT pg_advisory_lock($1, hashtext($2))`

func (d pgDB) TryLock(ctx context.Context, purpose int32, name string) (func(), bool, error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, false, err
	}
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1, hashtext($2))`, purpose, name).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, err
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return pgUnlock(conn, purpose, name), true, nil
}

func (d pgDB) Lock(ctx context.Context, purpose int32, name string) (func(), error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, lockSQL, purpose, name); err != nil {
		// A cancelled wait may leave the connection mid-query: drop it.
		_ = conn.Conn().Close(context.Background())
		conn.Release()
		return nil, err
	}
	return pgUnlock(conn, purpose, name), nil
}

// pgUnlock releases a session lock and its connection; a connection that
// cannot unlock is closed, which releases the lock with the session.
func pgUnlock(conn *pgxpool.Conn, purpose int32, name string) func() {
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
		defer cancel()
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_unlock($1, hashtext($2))`, purpose, name); err != nil {
			_ = conn.Conn().Close(ctx)
		}
		conn.Release()
	}
}

type pgTx struct{ tx pgx.Tx }

func (pgTx) Dialect() Dialect { return Postgres }

func (t pgTx) Exec(ctx context.Context, sql string, args ...any) (Result, error) {
	return t.tx.Exec(ctx, sql, args...)
}

func (t pgTx) Query(ctx context.Context, sql string, args ...any) (Rows, error) {
	return t.tx.Query(ctx, sql, args...)
}

func (t pgTx) QueryRow(ctx context.Context, sql string, args ...any) Row {
	return t.tx.QueryRow(ctx, sql, args...)
}

func (t pgTx) SendBatch(ctx context.Context, b *Batch) error {
	if b.Len() == 0 {
		return nil
	}
	pb := &pgx.Batch{}
	for _, it := range b.items {
		pb.Queue(it.sql, it.args...)
	}
	return t.tx.SendBatch(ctx, pb).Close()
}

func (t pgTx) LockXact(ctx context.Context, purpose int32, name string) error {
	_, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, purpose, name)
	return err
}

func (t pgTx) Relaxed(ctx context.Context) error {
	_, err := t.tx.Exec(ctx, `SELECT set_config('synchronous_commit', 'off', true)`)
	return err
}

// PgxTx returns the pgx transaction behind a PostgreSQL Tx.
func PgxTx(tx Tx) (pgx.Tx, bool) {
	t, ok := tx.(pgTx)
	return t.tx, ok
}

// IsUniqueViolation reports whether err is a unique or primary key
// violation in either dialect.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	return isSQLiteUnique(err)
}

// IsUndefinedTable reports whether err means a table or view the
// statement names does not exist (yet): a read model before its runner
// first created it, say.
func IsUndefinedTable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "42P01"
	}
	return isSQLiteNoTable(err)
}

// IsUnavailable reports whether err means PostgreSQL could not be reached,
// or the connection to it broke, rather than that it refused the
// statement: the server is down, restarting or out of connections. The
// call may be tried again once it is back. An ended context is the
// caller's doing and is not counted.
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// connection exception, insufficient resources, shutting down or starting up
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "53") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || pgconn.SafeToRetry(err) || errors.As(err, &netErr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, pgconn.ErrConnClosed)
}
