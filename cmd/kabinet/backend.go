package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kabinet/kabinet/eventstore"
	"github.com/kabinet/kabinet/eventstore/postgres"
	"github.com/kabinet/kabinet/eventstore/sqlite"
	"github.com/kabinet/kabinet/internal/pii"
	"github.com/kabinet/kabinet/internal/sqldb"
)

// backend is the database kabinet runs on: PostgreSQL when
// KABINET_DATABASE_URL names one, otherwise the embedded SQLite file.
// Everything above it (read models, API state, the bus ledger) goes through
// db; the event store is the backend's own.
type backend struct {
	db    sqldb.DB
	store *pii.Store      // seals and opens personal data
	pg    *postgres.Store // nil on SQLite
	pool  *pgxpool.Pool   // nil on SQLite
	lite  *sqlite.Store   // nil on PostgreSQL
	where string          // for people: "PostgreSQL host:5432/kabinet (schema version 6)" or "SQLite kabinet-data/kabinet.db"
}

// verifier is what both event stores offer to check their hash chains.
type verifier interface {
	Verify(ctx context.Context, stream string) error
}

func (b *backend) verifier() verifier {
	if b.pg != nil {
		return b.pg
	}
	return b.lite
}

// close closes the store and then the database.
func (b *backend) close() {
	if b.pg != nil {
		b.pg.Close()
		b.pool.Close()
	}
	if b.lite != nil {
		_ = b.lite.Close()
	}
}

// databasePath is the SQLite file the configuration names, or "" for PostgreSQL.
func databasePath(cfg config) (string, error) {
	u := cfg.DatabaseURL
	switch {
	case u == "":
		return filepath.Join(cfg.DataDir, "kabinet.db"), nil
	case strings.HasPrefix(u, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
		if path == "" {
			return "", errors.New("KABINET_DATABASE_URL: sqlite: needs a file path, e.g. sqlite:kabinet-data/kabinet.db")
		}
		return path, nil
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return "", nil
	}
	return "", errors.New("KABINET_DATABASE_URL: want postgres://…, postgresql://… or sqlite:PATH")
}

// openBackend opens (creating and migrating if needed) the configured database.
func openBackend(ctx context.Context, cfg config, logger *slog.Logger) (*backend, error) {
	path, err := databasePath(cfg)
	if err != nil {
		return nil, err
	}
	master, err := masterKey(cfg)
	if err != nil {
		return nil, err
	}
	var (
		b   *backend
		raw eventstore.Store
	)
	if path == "" {
		pool, res, err := openPostgres(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		store := postgres.New(pool, postgres.Options{Logger: logger})
		raw = store
		b = &backend{db: sqldb.FromPgx(pool), pg: store, pool: pool,
			where: fmt.Sprintf("PostgreSQL %s, schema version %d", where(pool.Config().ConnConfig), res.Current)}
	} else {
		store, err := sqlite.Open(ctx, path, sqlite.Options{Logger: logger})
		if err != nil {
			return nil, err
		}
		raw = store
		b = &backend{db: sqldb.FromSQLite(store.DB(), store.ReadDB()), lite: store,
			where: "SQLite " + path}
	}
	if b.store, err = sealStore(b.db, raw, master); err != nil {
		b.close()
		return nil, err
	}
	if err := b.store.Sealer().Keys().Check(ctx); err != nil {
		b.close()
		return nil, err
	}
	return b, nil
}

// sealStore wraps a store so that the personal data of every kabinet event
// is sealed with its client's key, kept in db and wrapped by master.
func sealStore(db sqldb.DB, raw eventstore.Store, master []byte) (*pii.Store, error) {
	keys, err := pii.NewKeyring(db, master)
	if err != nil {
		return nil, err
	}
	return pii.Wrap(raw, pii.NewSealer(keys, pii.Rules()...)), nil
}

// lockFile makes sure one serve process at a time owns an SQLite file: the
// embedded mode is single-process (see eventstore/sqlite). The lock goes
// with the process, however it ends.
func lockFile(dbPath string) (release func(), err error) {
	f, err := os.OpenFile(dbPath+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dbPath, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s is in use by another kabinet serve; stop it first or set KABINET_DATA_DIR", dbPath)
		}
		return nil, fmt.Errorf("lock %s: %w", dbPath, err)
	}
	return func() { _ = f.Close() }, nil
}
