package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/sqlite"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// liteFiles makes a run's scratch files for the embedded stack: one SQLite
// file at path for each part of the run in turn, deleted when the part
// closes it. The path must not exist, so that a run never writes into a
// file it did not make, such as kabinet's own database.
type liteFiles struct {
	path    string
	tempDir string // made by the run and removed by dropAll; "" when the path was given
	created bool   // a file was made at path
}

// sidecars are the files SQLite keeps beside a database in WAL mode.
var sidecars = []string{"", "-wal", "-shm", "-journal"}

func newLiteFiles(path string) (*liteFiles, error) {
	if path != "" {
		return &liteFiles{path: path}, nil
	}
	dir, err := os.MkdirTemp("", "kabinet-bench-")
	if err != nil {
		return nil, fmt.Errorf("make a directory for the scratch file: %w", err)
	}
	return &liteFiles{path: filepath.Join(dir, "bench.db"), tempDir: dir}, nil
}

// create claims path with O_EXCL, which SQLite then opens as an empty
// database, and opens the store and its migrations there.
func (f *liteFiles) create(ctx context.Context, purpose string) (target, error) {
	for _, s := range sidecars[1:] {
		if _, err := os.Lstat(f.path + s); err == nil {
			return nil, fmt.Errorf("scratch file %s: %s is in the way; remove it or give another path", f.path, f.path+s)
		}
	}
	if err := os.MkdirAll(filepath.Dir(f.path), 0o750); err != nil {
		return nil, fmt.Errorf("scratch file %s: %w", f.path, err)
	}
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("scratch file %s exists: the run writes its scratch file there and deletes it, so give a path that does not exist", f.path)
	}
	if err != nil {
		return nil, fmt.Errorf("scratch file %s: %w", f.path, err)
	}
	f.created = true
	if err := file.Close(); err != nil {
		return nil, fmt.Errorf("scratch file %s: %w", f.path, err)
	}
	store, err := sqlite.Open(ctx, f.path, sqlite.Options{})
	if err != nil {
		_ = removeLite(f.path)
		return nil, err
	}
	return &liteTarget{path: f.path, purpose: purpose, lite: store, sdb: sqldb.FromSQLite(store.DB(), store.ReadDB()),
		raw: RawAppendSQLite(store.DB())}, nil
}

// dropAll removes what is left of the scratch files, and the temporary
// directory the run made.
func (f *liteFiles) dropAll() error {
	var errs []error
	if f.created {
		errs = append(errs, removeLite(f.path))
	}
	if f.tempDir != "" {
		if err := os.RemoveAll(f.tempDir); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", f.tempDir, err))
		}
	}
	return errors.Join(errs...)
}

// removeLite removes a database file and its sidecars.
func removeLite(path string) error {
	var errs []error
	for _, s := range sidecars {
		if err := os.Remove(path + s); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove scratch file: %w", err))
		}
	}
	return errors.Join(errs...)
}

// liteTarget is a scratch SQLite file: kabinet's embedded stack on it (the
// SQLite event store, and sqldb over the store's two pools, as serve wires
// it), and the raw side in database/sql on the store's own pools, so that
// both sides run with the same pragmas (WAL, synchronous=FULL) and the same
// single writer.
type liteTarget struct {
	path, purpose string
	lite          *sqlite.Store
	sdb           sqldb.DB
	raw           AppendFunc
}

var liteLabels = labels{
	raw:          "raw database/sql",
	insertOne:    "single-row INSERT",
	insertMany:   "multi-row INSERT",
	importRow:    "bulk import in one transaction",
	importMethod: "prepared INSERTs, one transaction",
}

func (t *liteTarget) name() string {
	return fmt.Sprintf("scratch file %s for the %s part", t.path, t.purpose)
}
func (t *liteTarget) labels() labels                   { return liteLabels }
func (t *liteTarget) db() sqldb.DB                     { return t.sdb }
func (t *liteTarget) store() eventstore.Store          { return t.lite }
func (t *liteTarget) rawAppend() AppendFunc            { return t.raw }
func (t *liteTarget) verify(ctx context.Context) error { return t.lite.Verify(ctx, "") }

func (t *liteTarget) rawRead(ctx context.Context) (int64, error) {
	return ReadAllRawSQLite(ctx, t.lite.ReadDB())
}

func (t *liteTarget) rawImport(ctx context.Context, n int) (int64, error) {
	return ImportSQLite(ctx, t.lite.DB(), n)
}

// close closes the store, whose writer checkpoints the WAL last, and
// deletes the file.
func (t *liteTarget) close() {
	_ = t.lite.Close()
	_ = removeLite(t.path)
}

// reset empties the log and checkpoints the WAL into the file, truncating
// it, as PostgreSQL's CHECKPOINT does for its side.
func (t *liteTarget) reset(ctx context.Context) error {
	w := t.lite.DB()
	for _, table := range []string{"events", "event_streams"} {
		if _, err := w.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return fmt.Errorf("empty the log: %w", err)
		}
	}
	var busy, frames, done int
	if err := w.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &done); err != nil {
		return fmt.Errorf("checkpoint the log: %w", err)
	}
	return nil
}

// appendHeld appends through AppendTx in a transaction of its own on the
// store's writer. While it is open every other writer waits: SQLite has
// one writer at a time.
func (t *liteTarget) appendHeld(ctx context.Context, stream string, version int64, e eventstore.Event, hold time.Duration, rollBack bool) (eventstore.Position, error) {
	tx, err := t.lite.DB().BeginTx(ctx, nil)
	if err != nil {
		return eventstore.Position{}, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // a no-op after Commit
	res, err := t.lite.AppendTx(ctx, tx, stream, eventstore.Exactly(version), e)
	if err != nil {
		return eventstore.Position{}, err
	}
	time.Sleep(hold)
	if rollBack {
		if err := tx.Rollback(); err != nil {
			return eventstore.Position{}, fmt.Errorf("roll back: %w", err)
		}
		return eventstore.Position{}, nil
	}
	if err := tx.Commit(); err != nil {
		return eventstore.Position{}, fmt.Errorf("commit: %w", err)
	}
	t.lite.Committed()
	return res.Position, nil
}

// litePragmas are the settings of the store's writer that bound the figures.
var litePragmas = []string{"journal_mode", "synchronous", "locking_mode", "page_size", "cache_size",
	"wal_autocheckpoint", "mmap_size", "busy_timeout"}

// synchronousNames are the values of PRAGMA synchronous.
var synchronousNames = map[string]string{"0": "OFF", "1": "NORMAL", "2": "FULL", "3": "EXTRA"}

// describe reads the library's version, the writer's pragmas, and the file
// system under the file, whose fsync every durable commit waits for.
func (t *liteTarget) describe(ctx context.Context, m *Machine) error {
	m.Database = "sqlite"
	var version string
	if err := t.lite.ReadDB().QueryRowContext(ctx, `SELECT sqlite_version()`).Scan(&version); err != nil {
		return fmt.Errorf("read the SQLite version: %w", err)
	}
	m.SQLite = "SQLite " + version
	if v := moduleVersion("modernc.org/sqlite"); v != "" {
		m.SQLite += " (modernc.org/sqlite " + v + ")"
	}
	m.SQLiteFile = t.path
	if fsType, source := fileSystem(t.path); fsType != "" {
		m.SQLiteFile += " on " + fsType + " (" + source + ")"
	}
	m.SQLiteSettings = map[string]string{}
	for _, name := range litePragmas {
		var v string
		if err := t.lite.DB().QueryRowContext(ctx, `PRAGMA `+name).Scan(&v); err != nil {
			return fmt.Errorf("read pragma %s: %w", name, err)
		}
		if name == "synchronous" && synchronousNames[v] != "" {
			v = synchronousNames[v]
		}
		m.SQLiteSettings[name] = v
	}
	m.SQLiteSettings["write_connections"] = fmt.Sprint(t.lite.DB().Stats().MaxOpenConnections)
	m.SQLiteSettings["read_connections"] = fmt.Sprint(t.lite.ReadDB().Stats().MaxOpenConnections)
	return nil
}

// moduleVersion is the version of a module the binary was built with, or "".
func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range info.Deps {
		if d.Path == path {
			return d.Version
		}
	}
	return ""
}

// fileSystem names the type and source of the mount that holds path, from
// /proc/self/mountinfo; both are "" where it cannot tell.
func fileSystem(path string) (fsType, source string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", ""
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return "", ""
	}
	defer f.Close()
	best := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root mount-point options [optional…] - type source super-options
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 2 {
			continue
		}
		mount := fields[4]
		inside := abs == mount || strings.HasPrefix(abs, strings.TrimSuffix(mount, "/")+"/")
		if inside && len(mount) >= best {
			best, fsType, source = len(mount), tail[0], tail[1]
		}
	}
	return fsType, source
}
