package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/internal/migrate"
)

// Options tune a Store. The zero value is usable.
type Options struct {
	Upcasters *eventstore.Upcasters // applied on every read path
	Logger    *slog.Logger          // default: discard
}

func (o *Options) setDefaults() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
}

// Connection settings, applied by the driver to every new connection of a
// pool (a one-off PRAGMA would reach only one of them). busy_timeout comes
// first so that the others already wait for locks.
const (
	// The writer takes the write lock at BEGIN, so a transaction never has
	// to upgrade from reading to writing, which fails at once with
	// SQLITE_BUSY whatever busy_timeout says. synchronous(FULL): see the
	// package doc. secure_delete overwrites what is deleted or updated, so
	// that a destroyed data key (internal/pii) or a scrubbed row does not
	// linger in free pages of the file.
	writeParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_pragma=secure_delete(1)&_txlock=immediate"
	// Readers keep the default deferred BEGIN: an immediate one would take
	// the write lock and stall the writer for as long as a read lasts.
	// query_only makes sure a reader never writes, and so never upgrades.
	readParams = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=foreign_keys(1)&_pragma=query_only(1)"
)

// Store is the SQLite event store. It is safe for concurrent use within one
// process; see the package doc for why only one process may write the file.
type Store struct {
	write  *sql.DB // exactly one connection
	read   *sql.DB
	opts   Options
	wake   eventstore.Notifier
	closed atomic.Bool
}

var _ eventstore.Store = (*Store)(nil)

// Open opens (creating if needed) the store in the file at path, creates
// its directory, and applies the migrations. path is a file name; its
// connection options are the store's to set, so it must not carry a query.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	opts.setDefaults()
	switch {
	case path == "" || path == ":memory:" || strings.HasPrefix(path, "file::memory:"):
		return nil, fmt.Errorf("open event store: want a file path, got %q (an in-memory database would differ per pool)", path)
	case strings.Contains(path, "?"):
		return nil, fmt.Errorf("open event store %s: the path must not carry options", path)
	}
	if !strings.HasPrefix(path, "file:") {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open event store %s: %w", path, err)
		}
	}

	write, err := sql.Open("sqlite", path+"?"+writeParams)
	if err != nil {
		return nil, fmt.Errorf("open event store %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	s := &Store{write: write, opts: opts}

	// Migrate before the read pool exists: the first write connection also
	// switches the file to WAL, which the readers' settings take for granted.
	res, err := migrate.SQLite(ctx, write)
	if err != nil {
		_ = write.Close()
		return nil, translate(ctx, "open event store "+path, err)
	}
	if len(res.Applied) > 0 {
		opts.Logger.InfoContext(ctx, "event store migrated", "path", path, "applied", res.Applied, "version", res.Current)
	}

	read, err := sql.Open("sqlite", path+"?"+readParams)
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open event store %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		_ = read.Close()
		_ = write.Close()
		return nil, translate(ctx, "open event store "+path, err)
	}
	s.read = read
	return s, nil
}

// Close closes both pools. The writer goes last so that its connection,
// the last one on the file, checkpoints the WAL into the database.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// DB is the write pool: one connection whose transactions begin IMMEDIATE.
// Read models that must commit their rows and checkpoint with the events
// write through it (see AppendTx). Every transaction on it blocks all other
// writers until it ends.
func (s *Store) DB() *sql.DB { return s.write }

// ReadDB is the read pool: query_only connections that read committed
// snapshots without waiting for the writer.
func (s *Store) ReadDB() *sql.DB { return s.read }

// errClosed is returned by every method after Close.
var errClosed = fmt.Errorf("%w: the store is closed", eventstore.ErrUnavailable)

func (s *Store) check(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ctx.Err()
}

// translate maps driver errors to the contract's sentinels at this
// boundary. A driver error is flattened to text, so no driver type leaks.
func translate(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		// modernc reports an interrupted statement as SQLITE_INTERRUPT;
		// callers should see why it was interrupted.
		return fmt.Errorf("%s: %w", op, ctxErr)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, eventstore.ErrUnavailable) || errors.Is(err, eventstore.ErrDuplicateEvent) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("%s: %w: %v", op, eventstore.ErrUnavailable, err)
	}
	var se *sqlitedriver.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("%s: %v", op, err)
	}
	code := se.Code()
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN,
		sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
		return fmt.Errorf("%s: %w: %s", op, eventstore.ErrUnavailable, err.Error())
	case sqlite3.SQLITE_CONSTRAINT:
		if code == sqlite3.SQLITE_CONSTRAINT_UNIQUE && strings.Contains(se.Error(), "events.event_id") {
			return fmt.Errorf("%s: %w", op, eventstore.ErrDuplicateEvent)
		}
	}
	return fmt.Errorf("%s: %s", op, err.Error())
}
